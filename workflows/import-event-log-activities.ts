import type { DataCenter } from '../domain/data-centers';

/** The activities importEventLog calls (activities/ implements them). */
export interface EventLogActivities {
  /**
   * Reads event-log pages from `streamPosition` (or the window start), writes each page to the activity
   * log, heartbeats the position after every page, and returns after a bounded amount of work.
   */
  importEventPages(input: {
    connectorId: string;
    dataCenter: DataCenter;
    createdAfter: string;
    createdBefore: string;
    streamPosition?: string;
  }): Promise<{ imported: number; pages: number; nextStreamPosition?: string; done: boolean }>;
}
