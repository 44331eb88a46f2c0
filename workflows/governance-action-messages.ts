import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GovernanceState } from '../domain/governance';

/** Who decides on an action waiting for approval (the API passes the signed-in principal's login). */
export interface GovernanceDecision {
  approver: string;
  /** Why (a rejection's reason, an approval's note). */
  reason?: string;
}

/** What a decision answers: the action's state right after it. */
export interface GovernanceDecisionResult {
  state: GovernanceState;
  approver: string;
  decidedAt: string;
}

/** Failure type of a decision the action refuses (no approver, or the action is not awaiting approval). */
export const DECISION_REFUSED = 'GovernanceDecisionRefused';

/** Approve an action waiting for approval: it acts next. */
export const approveUpdate = defineUpdate<GovernanceDecisionResult, [GovernanceDecision]>('approve');
/** Reject an action waiting for approval: it ends `rejected`, Box untouched. */
export const rejectUpdate = defineUpdate<GovernanceDecisionResult, [GovernanceDecision]>('reject');

/** The action's state as the workflow holds it. */
export interface GovernanceProgress {
  state: GovernanceState;
  reason?: string;
  approver?: string;
  decidedAt?: string;
}

/** The action's state. */
export const governanceStateQuery = defineQuery<GovernanceProgress>('state');

/** The connector was authorized again after a rejected token: a paused action may go on. */
export { resumeSignal } from './child-workflows';
