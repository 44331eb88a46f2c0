import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  defineSignal,
  type SignalDefinition,
} from '@temporalio/workflow';
import {
  REAUTHORIZATION_FAILURES,
  REAUTHORIZATION_FAILURES_BEFORE_UNAUTHORIZED,
} from '../domain/box-failures';
import { tokenRejectedSignal } from './connect-box-messages';

/**
 * What the children of connectBox (scan and backfill) share: the `resume` signal, signalling another
 * workflow without failing when it is gone, and pausing on a Box failure only a new authorization cures.
 */

/** The connector was authorized again after a rejected token: the child may resume. */
export const resumeSignal = defineSignal('resume');

/** Signals another workflow of the connector; a workflow that is gone is logged, not an error. */
export async function signalWorkflow<T extends unknown[]>(
  workflowId: string,
  signal: SignalDefinition<T>,
  ...args: T
): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowId).signal(signal, ...args);
  } catch (err) {
    log.warn('could not signal workflow', { workflowId, signal: signal.name, error: String(err) });
  }
}

/** The Box failure behind `err` when only a new authorization cures it, else undefined. */
export function reauthorizationFailure(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || !cause.type) return undefined;
  if (REAUTHORIZATION_FAILURES_BEFORE_UNAUTHORIZED.includes(cause.type)) return cause;
  // A 401 after a refresh joined the list later: histories from before skipped instead of pausing.
  const listed = (REAUTHORIZATION_FAILURES as readonly string[]).includes(cause.type);
  return listed && patched('pause-on-unauthorized') ? cause : undefined;
}

/** A child's pause flag: set while it waits for a new authorization, cleared by `resume`. */
export interface PauseState {
  paused?: boolean;
}

/**
 * Runs an activity; on a failure only a new authorization cures, pauses (`state.paused`), tells the
 * connector once (`tokenRejected`), waits for `resume` and runs it again. Any other failure is thrown.
 */
export async function resumingAfterReauthorization<T>(
  run: () => Promise<T>,
  state: PauseState,
  parentWorkflowId: string,
): Promise<T> {
  for (;;) {
    try {
      return await run();
    } catch (err) {
      const failure = reauthorizationFailure(err);
      if (!failure) throw err;
      if (!state.paused) {
        state.paused = true;
        await signalWorkflow(parentWorkflowId, tokenRejectedSignal, { message: failure.message });
      }
      await condition(() => !state.paused);
    }
  }
}
