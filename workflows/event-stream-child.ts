import { WorkflowExecutionAlreadyStartedError, type SearchAttributePair } from '@temporalio/common';
import { ParentClosePolicy, patched, startChild, workflowInfo } from '@temporalio/workflow';
import { workflowIds } from '../common/workflow-ids';
import type { DataCenter } from '../domain/data-centers';
import { enterpriseEvents } from './enterprise-events';

/**
 * connectBox's part in the enterprise event stream: the `event-stream` patch that brought it (connectors
 * whose history predates it replay without starting, resuming or cancelling it), and the start of the
 * child itself.
 */

/** Wait between stream reads when connectBox's input does not say (EVENT_STREAM_POLL_INTERVAL's default). */
export const DEFAULT_EVENT_STREAM_POLL_MS = 5_000;

/** True where connectBox runs the event stream (new runs; replays of histories that recorded the patch). */
export function eventStreamPatched(): boolean {
  return patched('event-stream');
}

/**
 * Starts `connector/<id>/events` unless it runs already (a connector connected before the stream
 * existed gets it at its next run; one connected since has it from its first run). Like the scan it
 * outlives the parent's runs (ABANDON) and carries the connector's search attributes.
 */
export async function startEventStream(input: {
  connectorId: string;
  dataCenter: DataCenter;
  instanceName: string;
  taskQueue: string;
  pollIntervalMs?: number;
  searchAttributes: SearchAttributePair[];
}): Promise<void> {
  try {
    await startChild(enterpriseEvents, {
      workflowId: workflowIds.events(input.connectorId),
      taskQueue: input.taskQueue,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: input.searchAttributes,
      staticSummary: `${input.instanceName}: follow Box's enterprise event stream`,
      args: [
        {
          connectorId: input.connectorId,
          dataCenter: input.dataCenter,
          parentWorkflowId: workflowInfo().workflowId,
          pollIntervalMs: input.pollIntervalMs ?? DEFAULT_EVENT_STREAM_POLL_MS,
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
