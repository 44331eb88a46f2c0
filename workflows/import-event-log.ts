import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EventLogActivities } from './import-event-log-activities';
import { resumeSignal, resumingAfterReauthorization, signalWorkflow } from './child-workflows';
import { backfillFinishedSignal } from './connect-box-messages';
import { backfillProgressQuery, type BackfillProgress } from './import-event-log-messages';
import type { DataCenter } from '../domain/data-centers';
import { STEP_HEARTBEAT_TIMEOUT } from './step-timeouts';

/** Input of importEventLog; `carried` only from its own continue-as-new. */
export interface ImportEventLogInput {
  connectorId: string;
  dataCenter: DataCenter;
  /** Window start (inclusive), ISO. */
  createdAfter: string;
  /** Window end (exclusive): the connection time, ISO. */
  createdBefore: string;
  parentWorkflowId: string;
  /** Activity calls after which a run continues as new even if not suggested (tests set it low). */
  callsPerRun?: number;
  carried?: { streamPosition?: string; imported: number; pages: number };
}

const { importEventPages } = proxyActivities<EventLogActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: STEP_HEARTBEAT_TIMEOUT,
  retry: { maximumInterval: '1m' },
});

/**
 * Imports the enterprise event log of the window before the connection (ID `connector/<id>/backfill`).
 * Event bodies never pass through history: the activity writes them to the store and returns counts and
 * the next stream position; each activity call covers many pages, so history grows by a few events per
 * tens of thousands of Box events.
 */
export async function importEventLog(input: ImportEventLogInput): Promise<{ imported: number }> {
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
  const importFromPosition = () =>
    resumingAfterReauthorization(
      () =>
        importEventPages({
          connectorId: input.connectorId,
          dataCenter: input.dataCenter,
          createdAfter: input.createdAfter,
          createdBefore: input.createdBefore,
          streamPosition: progress.streamPosition,
        }),
      progress,
      input.parentWorkflowId,
    );

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
      await continueAsNew<typeof importEventLog>({
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
  await signalWorkflow(input.parentWorkflowId, backfillFinishedSignal, { imported: progress.imported });
  return { imported: progress.imported };
}

/**
 * The workflow type importEventLog had before the vocabulary change: runs started under it (and their
 * continue-as-new) keep running this code. New backfills start as `importEventLog`.
 */
export const backfillActivities = importEventLog;
