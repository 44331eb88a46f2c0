/** The activities backfillActivities calls (activities/ implements them). */
export interface BackfillActivities {
  /**
   * Reads event-log pages from `streamPosition` (or the window start), writes each page to the activity
   * log, heartbeats the position after every page, and returns after a bounded amount of work.
   */
  importEventPages(input: {
    connectorId: string;
    dataCenter: string;
    createdAfter: string;
    createdBefore: string;
    streamPosition?: string;
  }): Promise<{ imported: number; pages: number; nextStreamPosition?: string; done: boolean }>;
}
