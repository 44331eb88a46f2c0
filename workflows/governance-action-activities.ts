import type { DataCenter } from '../domain/data-centers';
import type { GovernanceState } from '../domain/governance';

/** A state change of an action with its audit entry (`step` numbers the entries: a retry writes one). */
export interface GovernanceStepInput {
  connectorId: string;
  actionId: string;
  state: GovernanceState;
  reason?: string | null;
  approver?: string;
  decidedAt?: string;
  outcome?: string;
  audit: { step: number; event: string; actor: string; detail?: Record<string, unknown> };
}

/** What performing an action came to. */
export interface GovernancePerformResult {
  /** done: acted (or had acted before a crash); skipped: the file no longer matches; dry-run: recorded only. */
  result: 'done' | 'skipped' | 'dry-run';
  /** Why it was skipped, or what it did / would do, in words. */
  outcome: string;
  /** The changes made (or that would be made), one line each. */
  changes: string[];
  /** The file's owner (for the rescan request). */
  ownerId?: string;
  /** What the e-mail step sent (notify-owner). */
  messageId?: string;
}

/** Activities of the governanceAction workflow (main task queue), built by createGovernanceActivities. */
export interface GovernanceActivities {
  /** Sets the action's state and appends the audit entry, in one transaction. */
  recordGovernanceStep(input: GovernanceStepInput): Promise<void>;
  /**
   * Checks the file against what the finding saw, then acts through Box (as the owner where possible),
   * recording the state before and after; idempotent: a retry after a crash continues from Box's state.
   */
  performGovernanceAction(input: {
    connectorId: string;
    actionId: string;
    dataCenter: DataCenter;
  }): Promise<GovernancePerformResult>;
  /** True once the connector was authorized again (Connected, status changed) since `since`. */
  connectorReauthorized(input: { connectorId: string; since: string }): Promise<boolean>;
}
