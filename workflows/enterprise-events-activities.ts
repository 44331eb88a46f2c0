import type { DataCenter } from '../domain/data-centers';
import type { FileEvent } from '../domain/file-event';

/** What one readEventStream call did, and where the stream goes on. */
export interface EventStreamRead {
  /** The position to read from next (Box's `next_stream_position`, as text). */
  nextStreamPosition: string;
  /** Events read that were not among `recentEventIds`. */
  read: number;
  /** Events written to the event log for the first time. */
  recorded: number;
  /** File events already recorded from a webhook delivery (same file, kind and second): not recorded again. */
  webhookDuplicates: number;
  /** Files to send to the scan's priority lane: the latest content, sharing, metadata or delete event of each. */
  files: FileEvent[];
  /** The ids of the last events read (bounded): Box's stream may repeat them on the next read. */
  recentEventIds: string[];
  /** The last page had nothing new: wait for the poll interval before reading again. */
  caughtUp: boolean;
}

/** The activities enterpriseEvents calls (activities/event-stream-activities.ts implements them). */
export interface EventStreamActivities {
  /**
   * Reads `GET /2.0/events?stream_type=admin_logs_streaming` from `streamPosition` (none: `now`, which
   * only returns the current position), skips events whose id is in `recentEventIds`, records the rest in
   * the event log (source `event-stream`, one de-duplication rule with webhook deliveries) and returns
   * the files the scan should look at again. A bounded amount of work per call: it returns when caught
   * up, after a few pages, or when enough files are waiting to be signalled. A retry reads again from
   * `streamPosition`, so a crash between recording and returning loses no file.
   */
  readEventStream(input: {
    connectorId: string;
    dataCenter: DataCenter;
    streamPosition?: string;
    recentEventIds: string[];
  }): Promise<EventStreamRead>;
}
