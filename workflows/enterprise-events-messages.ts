import { defineQuery } from '@temporalio/workflow';

/** Progress of the enterprise event stream, for operators and tests. */
export interface EventStreamProgress {
  /** Where the next read starts; undefined until the first read asked Box for `now`. */
  streamPosition?: string;
  /** Reads in this workflow's life (every run of the continue-as-new chain). */
  reads: number;
  /** Events written to the event log by the stream. */
  recorded: number;
  /** File events left out because a webhook delivery had already recorded them. */
  webhookDuplicates: number;
  /** Files sent to the scan's priority lane. */
  filesSignalled: number;
  /** When the last read returned (ISO). */
  lastReadAt?: string;
  /** Waiting for a new authorization (Box rejected the connection's tokens); resumes on `resume`. */
  paused?: boolean;
}

/** The event stream's progress. */
export const eventStreamProgressQuery = defineQuery<EventStreamProgress>('progress');
