import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { workflowIds } from '../common/workflow-ids';
import type { DataCenter } from '../domain/data-centers';
import { resumeSignal, resumingAfterReauthorization, signalWorkflow } from './child-workflows';
import type { EventStreamActivities, EventStreamRead } from './enterprise-events-activities';
import { eventStreamProgressQuery, type EventStreamProgress } from './enterprise-events-messages';
import { prioritizeSignal } from './scan-files-messages';
import { STEP_HEARTBEAT_TIMEOUT } from './step-timeouts';

/** Input of enterpriseEvents; `carried` only from its own continue-as-new. */
export interface EnterpriseEventsInput {
  connectorId: string;
  dataCenter: DataCenter;
  parentWorkflowId: string;
  /** Wait between reads once the stream is caught up. */
  pollIntervalMs: number;
  /** Reads after which a run continues as new even if not suggested (tests set it low). */
  readsPerRun?: number;
  carried?: EnterpriseEventsCarried;
}

/** The stream's state across continue-as-new: a position, counters and a bounded list of event ids. */
export interface EnterpriseEventsCarried {
  progress: EventStreamProgress;
  recentEventIds: string[];
}

const { readEventStream } = proxyActivities<EventStreamActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: STEP_HEARTBEAT_TIMEOUT,
  retry: { maximumInterval: '30s' },
});

/**
 * The enterprise event stream (ID `connector/<id>/events`), the second source of file events beside
 * webhooks: it reads admin_logs_streaming from a position it keeps in its state, and sends the files of
 * new content, sharing, metadata and delete events to the scan's priority lane. It sees what webhooks
 * cannot: files in a user's root folder (Box allows no webhook on folder 0), folders whose webhook was
 * deleted, and deliveries lost in an outage longer than Box's retries. History grows by about ten events
 * per read; the run continues as new when Temporal suggests it, carrying the position.
 */
export async function enterpriseEvents(input: EnterpriseEventsInput): Promise<void> {
  const progress: EventStreamProgress = {
    reads: 0,
    recorded: 0,
    webhookDuplicates: 0,
    filesSignalled: 0,
    ...input.carried?.progress,
    paused: false,
  };
  let recentEventIds = input.carried?.recentEventIds ?? [];
  setHandler(eventStreamProgressQuery, () => progress);
  setHandler(resumeSignal, () => void (progress.paused = false));

  /** Reads from the current position; a rejected token pauses until connectBox resumes us. */
  const read = () =>
    resumingAfterReauthorization(
      () =>
        readEventStream({
          connectorId: input.connectorId,
          dataCenter: input.dataCenter,
          streamPosition: progress.streamPosition,
          recentEventIds,
        }),
      progress,
      input.parentWorkflowId,
    );

  let readsThisRun = 0;
  for (;;) {
    const result = await read();
    await signalFiles(input.connectorId, result);
    advance(progress, result);
    recentEventIds = result.recentEventIds;
    setCurrentDetails(describeStream(progress));
    readsThisRun++;
    const runIsFull = input.readsPerRun !== undefined && readsThisRun >= input.readsPerRun;
    if (workflowInfo().continueAsNewSuggested || runIsFull) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof enterpriseEvents>({
        ...input,
        carried: { progress: { ...progress, paused: false }, recentEventIds },
      });
    }
    if (result.caughtUp) await sleep(input.pollIntervalMs);
  }
}

/** Sends the read's files to the scan's priority lane, as connectBox routes webhook deliveries. */
async function signalFiles(connectorId: string, result: EventStreamRead): Promise<void> {
  if (result.files.length === 0) return;
  await signalWorkflow(workflowIds.scan(connectorId), prioritizeSignal, { files: result.files });
}

function advance(progress: EventStreamProgress, result: EventStreamRead): void {
  progress.streamPosition = result.nextStreamPosition;
  progress.reads++;
  progress.recorded += result.recorded;
  progress.webhookDuplicates += result.webhookDuplicates;
  progress.filesSignalled += result.files.length;
  progress.lastReadAt = new Date().toISOString();
}

/** The Web UI's current details of the stream. */
function describeStream(p: EventStreamProgress): string {
  return `Stream position ${p.streamPosition ?? 'not read yet'}: ${p.recorded} events recorded, ${p.filesSignalled} files sent to the scan, ${p.webhookDuplicates} already delivered by webhooks.`;
}
