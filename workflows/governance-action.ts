import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import { REAUTHORIZATION_FAILURES } from '../domain/box-failures';
import type { DataCenter } from '../domain/data-centers';
import type { GovernanceActionKind, GovernanceState } from '../domain/governance';
import { reauthorizationFailure, resumeSignal, signalWorkflow } from './child-workflows';
import { fileEventsSignal, tokenRejectedSignal } from './connect-box-messages';
import type { GovernanceActivities, GovernancePerformResult } from './governance-action-activities';
import { STEP_HEARTBEAT_TIMEOUT } from './step-timeouts';
import {
  approveUpdate,
  DECISION_REFUSED,
  governanceStateQuery,
  rejectUpdate,
  type GovernanceDecision,
  type GovernanceProgress,
} from './governance-action-messages';

/** Input of governanceAction (ID `governance/<connectorId>/<actionId>`); the action itself is in the store. */
export interface GovernanceActionInput {
  connectorId: string;
  actionId: string;
  dataCenter: DataCenter;
  kind: GovernanceActionKind;
  fileId: string;
  /** Wait for an approve or reject Update before acting. */
  approvalRequired: boolean;
  /** Until when the approval is awaited (ISO 8601); then the action expires. */
  expiresAt?: string;
  /** The connector's workflow: told about a rejected token, asked to rescan the file. */
  connectorWorkflowId: string;
  /** Who asked (`policy:<id>` or a person's login): the actor of the audit entries the workflow writes. */
  requestedBy: string;
  /** How often a paused action checks whether the connector was authorized again (default 60 s). */
  reauthorizationPollMs?: number;
  /** Rounds of attempts before the action fails (default ACT_ROUNDS). */
  actRounds?: number;
}

/** Rounds of attempts at acting (each retried by Temporal a few times) before the action fails. */
export const ACT_ROUNDS = 5;
/** How long the workflow waits between two rounds (doubling each time). */
const ROUND_BACKOFF_MS = 60_000;

/**
 * One governance action on one file (docs/governance.md): waits for approval when its policy asks (an
 * `approve` or `reject` Update, until `expiresAt`, then `expired`), checks that the file still matches what
 * the finding saw and acts through Box (performGovernanceAction: idempotent, so a retry or a crashed
 * worker never acts twice), pauses while Box rejects the connector's token, records every step in the
 * store's audit trail, and asks the connector to rescan the file (fileActivity, as a webhook does).
 */
export async function governanceAction(input: GovernanceActionInput): Promise<GovernanceProgress> {
  const acts = proxyActivities<GovernanceActivities>({
    startToCloseTimeout: '2m',
    // The steps heartbeat (activities/keepalive.ts): a worker that died mid-action is noticed in seconds.
    heartbeatTimeout: STEP_HEARTBEAT_TIMEOUT,
    retry: {
      maximumAttempts: 3,
      maximumInterval: '30s',
      nonRetryableErrorTypes: [...REAUTHORIZATION_FAILURES],
    },
  });
  const progress: GovernanceProgress = { state: 'pending' };
  let decision: (GovernanceDecision & { approve: boolean; at: string }) | undefined;
  let resumed = false;
  // Set once the decision is in the store: the Update answers then, so the API reads what it answered.
  let decisionRecorded = false;
  // Audit step numbers: 0 is the store's `recorded`; each entry the workflow writes takes the next one.
  let step = 0;

  const decide = (approve: boolean) => async (d: GovernanceDecision) => {
    const made = { ...d, approver: d.approver.trim(), approve, at: new Date().toISOString() };
    decision = made;
    await condition(() => decisionRecorded);
    return {
      state: approve ? ('approved' as const) : ('rejected' as const),
      approver: made.approver,
      decidedAt: made.at,
    };
  };
  const validator = (d: GovernanceDecision) => {
    if (typeof d?.approver !== 'string' || d.approver.trim() === '')
      throw ApplicationFailure.create({
        type: DECISION_REFUSED,
        message: 'A decision needs the approver: who approves or rejects the action.',
        nonRetryable: true,
      });
    if (progress.state !== 'awaiting-approval' || decision !== undefined)
      throw ApplicationFailure.create({
        type: DECISION_REFUSED,
        message: `The action is ${progress.state}, not awaiting approval: it was decided already or needs no approval.`,
        nonRetryable: true,
      });
  };
  setHandler(approveUpdate, decide(true), { validator });
  setHandler(rejectUpdate, decide(false), { validator });
  setHandler(governanceStateQuery, () => ({ ...progress }));
  setHandler(resumeSignal, () => {
    resumed = true;
  });

  const record = async (
    state: GovernanceState,
    event: string,
    extra: {
      reason?: string | null;
      actor?: string;
      outcome?: string;
      detail?: Record<string, unknown>;
    } = {},
  ) => {
    progress.state = state;
    if (extra.reason !== undefined) progress.reason = extra.reason ?? undefined;
    setCurrentDetails(
      `${input.kind} on file ${input.fileId}: ${state}${progress.reason ? ` (${progress.reason})` : ''}`,
    );
    await acts.recordGovernanceStep({
      connectorId: input.connectorId,
      actionId: input.actionId,
      state,
      ...(extra.reason !== undefined && { reason: extra.reason }),
      ...(extra.outcome !== undefined && { outcome: extra.outcome }),
      ...(decision && { approver: decision.approver, decidedAt: decision.at }),
      audit: {
        step: ++step,
        event,
        actor: extra.actor ?? 'system',
        ...(extra.detail && { detail: extra.detail }),
      },
    });
  };

  if (input.approvalRequired) {
    await record('awaiting-approval', 'awaiting-approval', {
      actor: input.requestedBy,
      detail: { expiresAt: input.expiresAt ?? null },
    });
    const waitMs = input.expiresAt ? Math.max(0, Date.parse(input.expiresAt) - Date.now()) : undefined;
    const decided = await condition(() => decision !== undefined, waitMs ?? '3650 days');
    if (!decided || !decision) {
      await record('expired', 'expired', {
        reason: `nobody approved or rejected it before ${input.expiresAt ?? 'the expiry'}`,
      });
      return { ...progress };
    }
    progress.approver = decision.approver;
    progress.decidedAt = decision.at;
    if (!decision.approve) {
      await record('rejected', 'rejected', {
        actor: decision.approver,
        reason: decision.reason?.trim() || 'rejected',
        detail: { reason: decision.reason ?? null },
      });
      decisionRecorded = true;
      await condition(allHandlersFinished);
      return { ...progress };
    }
    await record('approved', 'approved', {
      actor: decision.approver,
      detail: { note: decision.reason ?? null },
    });
    decisionRecorded = true;
  }

  await record('running', 'acting', { reason: null });
  const rounds = input.actRounds ?? ACT_ROUNDS;
  let result: GovernancePerformResult | undefined;
  for (let round = 1; result === undefined; round++) {
    try {
      result = await acts.performGovernanceAction({
        connectorId: input.connectorId,
        actionId: input.actionId,
        dataCenter: input.dataCenter,
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const rejected = reauthorizationFailure(err);
      if (rejected) {
        await pauseUntilReauthorized(rejected.message);
        round--; // a pause is not a failed round
        continue;
      }
      const message = failureMessage(err);
      if (round >= rounds || !retryable(err)) {
        await record('failed', 'failed', { reason: message, detail: { error: message, rounds: round } });
        return { ...progress };
      }
      const waitMs = ROUND_BACKOFF_MS * 2 ** (round - 1);
      await record('running', 'attempt-failed', {
        reason: `attempt ${round} of ${rounds} failed (${message}); trying again in ${Math.round(waitMs / 1000)} s`,
        detail: { error: message, round },
      });
      await sleep(waitMs);
    }
  }

  const state: GovernanceState = result.result === 'skipped' ? 'skipped' : 'done';
  await record(state, result.result === 'dry-run' ? 'dry-run' : result.result, {
    reason: result.result === 'skipped' ? result.outcome : null,
    outcome: result.outcome,
    detail: { changes: result.changes, ...(result.messageId && { messageId: result.messageId }) },
  });
  // What Box now holds reaches the findings and the exposure through the scan's priority lane.
  if (result.result === 'done' && result.changes.length > 0 && input.kind !== 'notify-owner')
    await signalWorkflow(input.connectorWorkflowId, fileEventsSignal, {
      events: [
        {
          fileId: input.fileId,
          ...(result.ownerId && { ownerId: result.ownerId }),
          kind:
            input.kind === 'trash'
              ? 'delete'
              : input.kind === 'quarantine' || input.kind === 'restore'
                ? 'metadata'
                : 'sharing',
          eventType: `GOVERNANCE.${input.kind.toUpperCase().replace(/-/g, '_')}`,
          occurredAt: new Date().toISOString(),
          source: 'governance',
        },
      ],
    });
  return { ...progress };

  /**
   * Box rejected the connector's token: paused (the connector is told, and shows NeedsReauthorization)
   * until it is authorized again: a `resume` signal, or the store showing it Connected again since.
   */
  async function pauseUntilReauthorized(message: string): Promise<void> {
    const since = new Date().toISOString();
    // A resume that arrives once the pause is recorded (the connector authorized again at once) must not
    // be cleared after the connector was told: before this patch it was, and the action waited for the
    // next poll of the store (a minute by default).
    const keepEarlyResume = patched('governance-resume-during-pause');
    if (keepEarlyResume) resumed = false;
    await record('paused', 'paused', { reason: `Box rejected the connector's token: ${message}` });
    await signalWorkflow(input.connectorWorkflowId, tokenRejectedSignal, { message });
    if (!keepEarlyResume) resumed = false;
    for (;;) {
      if (await condition(() => resumed, input.reauthorizationPollMs ?? 60_000)) break;
      if (await acts.connectorReauthorized({ connectorId: input.connectorId, since })) break;
    }
    log.info('governance action resumed after re-authorization', { actionId: input.actionId });
    await record('running', 'resumed', { reason: null });
  }
}

/** The message of the failure behind an activity failure. */
function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/** False when the activity's failure says retrying cannot help (a non-retryable ApplicationFailure). */
function retryable(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return !(cause instanceof ApplicationFailure && cause.nonRetryable);
}
