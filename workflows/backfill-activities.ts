import {
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { BackfillActivities } from './backfill-activities-interface';
import { backfillFinishedSignal } from './connect-box-messages';
import { backfillProgressQuery, type BackfillProgress } from './backfill-messages';

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
  };
  setHandler(backfillProgressQuery, () => progress);

  let callsThisRun = 0;
  while (!progress.done) {
    const result = await importEventPages({
      connectorId: input.connectorId,
      dataCenter: input.dataCenter,
      createdAfter: input.createdAfter,
      createdBefore: input.createdBefore,
      streamPosition: progress.streamPosition,
    });
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
  try {
    await getExternalWorkflowHandle(input.parentWorkflowId).signal(backfillFinishedSignal, {
      imported: progress.imported,
    });
  } catch (err) {
    // The parent is gone (disconnected meanwhile): the import is done all the same.
    log.warn('could not tell the connector that the backfill finished', {
      parentWorkflowId: input.parentWorkflowId,
      error: String(err),
    });
  }
  return { imported: progress.imported };
}
