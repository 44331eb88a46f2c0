import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { DataCenter } from '../domain/data-centers';
import type { GovernanceActionKind } from '../domain/governance';
import { BOX_ENTERPRISE_ID, CONNECTOR_ID } from './search-attributes';
import { workflowIds } from './workflow-ids';

/** What starting an action's workflow needs: the action (from the store) and its connector. */
export interface GovernanceStart {
  connectorId: string;
  actionId: string;
  kind: GovernanceActionKind;
  fileId: string;
  mode: string;
  expiresAt: string | null;
  requestedBy: string;
  dataCenter: DataCenter;
  enterpriseId: string | null;
  /** The main task queue (workflows run there). */
  taskQueue: string;
}

/**
 * Starts the action's workflow `governance/<connectorId>/<actionId>`; a second start of the same action
 * (the scan's own start and the sweeper's, a retried activity, a start after it ended) is a no-op: a
 * running one is used as it is (USE_EXISTING), a closed one is never started again (REJECT_DUPLICATE).
 */
export async function startGovernanceWorkflow(client: Client, s: GovernanceStart): Promise<void> {
  try {
    await client.workflow.start('governanceAction', {
      taskQueue: s.taskQueue,
      workflowId: workflowIds.governance(s.connectorId, s.actionId),
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `${s.kind} on file ${s.fileId}`.slice(0, 200),
      typedSearchAttributes: [
        { key: CONNECTOR_ID, value: s.connectorId },
        ...(s.enterpriseId ? [{ key: BOX_ENTERPRISE_ID, value: s.enterpriseId }] : []),
      ],
      args: [
        {
          connectorId: s.connectorId,
          actionId: s.actionId,
          dataCenter: s.dataCenter,
          kind: s.kind,
          fileId: s.fileId,
          approvalRequired: s.mode === 'approval',
          ...(s.expiresAt && { expiresAt: s.expiresAt }),
          connectorWorkflowId: workflowIds.connector(s.connectorId),
          requestedBy: s.requestedBy,
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
