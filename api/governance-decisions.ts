import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { workflowIds } from '../common/workflow-ids';
import type { GovernanceActionRow, GovernanceRepository } from '../store/governance-repository';
import {
  approveUpdate,
  rejectUpdate,
  type GovernanceDecision,
} from '../workflows/governance-action-messages';
import { ProblemError } from './problem';

/**
 * Approves or rejects a governance action awaiting approval through its workflow's Update, and returns the
 * action as the store holds it afterwards: the one service behind the API's approve/reject routes and the
 * console's governance page. Thrown when it cannot: a 409 problem when the action is not awaiting approval
 * (or the Update was refused: it moved on meanwhile), naming its state.
 */
export async function decideGovernanceAction(
  deps: { repo: GovernanceRepository; temporal: Client },
  row: GovernanceActionRow,
  approve: boolean,
  decision: GovernanceDecision,
): Promise<GovernanceActionRow> {
  if (row.state !== 'awaiting-approval')
    throw new ProblemError(
      'conflict',
      `The action is ${row.state}: only an action awaiting approval can be ${approve ? 'approved' : 'rejected'}.`,
    );
  try {
    await deps.temporal.workflow
      .getHandle(workflowIds.governance(row.connector_id, row.id))
      .executeUpdate(approve ? approveUpdate : rejectUpdate, { args: [decision] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
      const now = await deps.repo.get(row.connector_id, row.id);
      throw new ProblemError(
        'conflict',
        `The action could not be ${approve ? 'approved' : 'rejected'}: it is ${now?.state ?? row.state} (${err.cause instanceof Error ? err.cause.message : err.message}).`,
      );
    }
    throw err;
  }
  return (await deps.repo.get(row.connector_id, row.id))!;
}
