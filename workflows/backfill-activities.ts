import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { BackfillActivities } from './backfill-activities-interface';
import { backfillFinishedSignal, tokenRejectedSignal } from './connect-box-messages';
import { backfillProgressQuery, type BackfillProgress } from './backfill-messages';
import { resumeSignal } from './scan-files-messages';

/** Input of backfillActivities; `carried` only from its own continue-as-new. */
export interface BackfillInput {
  connectorId: string;
  dataCenter: string;
  /** Window start (inclusive), ISO. */
  createdAfter: string;
  /** Window end (exclusive): the connection time, ISO. */
  createdBefore: string;
  parentWorkflowId: string;
  /** Activity calls after which a run continues as new even if not suggested (tests set it low). */
  callsPerRun?: number;
  carried?: { streamPosition?: string; imported: number; pages: number };
}

/** Box failures only a new authorization cures (the same list scanFiles pauses on). */
const TOKEN_FAILURES = ['BoxInvalidRefreshToken', 'BoxAppRemoved', 'BoxTokensUnavailable'];

const { importEventPages } = proxyActivities<BackfillActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: { maximumInterval: '1m' },
});

/**
 * Imports the enterprise event log of the window before the connection (ID `connector/<id>/backfill`).
 * Event bodies never pass through history: the activity writes them to the store and returns counts and
 * the next stream position; each activity call covers many pages, so history grows by a few events per
 * tens of thousands of Box events.
 */
export async function backfillActivities(input: BackfillInput): Promise<{ imported: number }> {
  const progress: BackfillProgress = {
    createdAfter: input.createdAfter,
    createdBefore: input.createdBefore,
    imported: input.carried?.imported ?? 0,
    pages: input.carried?.pages ?? 0,
    streamPosition: input.carried?.streamPosition,
    done: false,
    paused: false,
  };
  setHandler(backfillProgressQuery, () => progress);
  setHandler(resumeSignal, () => void (progress.paused = false));

  /** Imports from the current position; a rejected token pauses until connectBox resumes us. */
  const importFromPosition = async () => {
    for (;;) {
      try {
        return await importEventPages({
          connectorId: input.connectorId,
          dataCenter: input.dataCenter,
          createdAfter: input.createdAfter,
          createdBefore: input.createdBefore,
          streamPosition: progress.streamPosition,
        });
      } catch (err) {
        const cause = err instanceof ActivityFailure ? err.cause : undefined;
        if (!(cause instanceof ApplicationFailure) || !TOKEN_FAILURES.includes(cause.type ?? '')) throw err;
        progress.paused = true;
        await signalParent(input.parentWorkflowId, tokenRejectedSignal, { message: cause.message });
        await condition(() => !progress.paused);
      }
    }
  };

  let callsThisRun = 0;
  while (!progress.done) {
    const result = await importFromPosition();
    progress.imported += result.imported;
    progress.pages += result.pages;
    progress.streamPosition = result.nextStreamPosition;
    progress.done = result.done;
    callsThisRun++;
    const runIsFull = input.callsPerRun !== undefined && callsThisRun >= input.callsPerRun;
    if (!progress.done && (workflowInfo().continueAsNewSuggested || runIsFull)) {
      await continueAsNew<typeof backfillActivities>({
        ...input,
        carried: {
          streamPosition: progress.streamPosition,
          imported: progress.imported,
          pages: progress.pages,
        },
      });
    }
  }
  // If the parent is gone (disconnected meanwhile), the import is done all the same.
  await signalParent(input.parentWorkflowId, backfillFinishedSignal, { imported: progress.imported });
  return { imported: progress.imported };
}

async function signalParent<T extends unknown[]>(
  parentWorkflowId: string,
  signal: SignalDefinition<T>,
  ...args: T
): Promise<void> {
  try {
    await getExternalWorkflowHandle(parentWorkflowId).signal(signal, ...args);
  } catch (err) {
    log.warn('could not signal the connector workflow', {
      parentWorkflowId,
      signal: signal.name,
      error: String(err),
    });
  }
}
