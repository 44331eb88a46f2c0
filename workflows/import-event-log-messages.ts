import { defineQuery } from '@temporalio/workflow';

/** Progress of the backfill. */
export interface BackfillProgress {
  createdAfter: string;
  createdBefore: string;
  imported: number;
  pages: number;
  streamPosition?: string;
  done: boolean;
  /** Waiting for a new authorization (Box rejected the connection's tokens); resumes on `resume`. */
  paused?: boolean;
}

/** The backfill's progress. */
export const backfillProgressQuery = defineQuery<BackfillProgress>('progress');
