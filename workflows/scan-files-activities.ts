import type { FileEvent } from '../domain/file-event';
import type { DataCenter } from '../domain/data-centers';

/** Counts one unit of scan work produced. */
export interface ScanCounts {
  filesSeen: number;
  inspected: number;
  skippedUnchanged: number;
  findings: number;
}

/**
 * The pass's counts as the store holds them after a step (what every step committed with its work, those
 * whose result was lost included). Absent in results recorded before 2026-12-02.
 */
export interface StoredPassCounts extends ScanCounts {
  usersDone: number;
}

/**
 * The activities scanFiles calls (activities/scan-activities.ts implements them). Bulk data stays in the
 * store: the walk's pending folders and markers, the inventory, the findings and the priority overflow.
 * Every call is idempotent for its (connector, pass) so a retried or resumed activity neither loses nor
 * doubles a file.
 */
export interface ScanActivities {
  /**
   * Starts pass `pass`: lists the enterprise's users (marker paging), keeps those in scope (scope
   * 'allButOtherAdmins' drops every admin other than the authorizing account), records them as the pass's
   * work list in the store with their root folder `0` pending, and returns how many. Also returns the
   * policy-set version in force, so the pass's unchanged-file test is against the right policies.
   */
  startScanPass(input: {
    connectorId: string;
    dataCenter: DataCenter;
    scope: 'allUsers' | 'allButOtherAdmins';
    pass: number;
  }): Promise<{
    usersTotal: number;
    policyVersion: string;
  }>;

  /** Up to `limit` users of the pass whose walk is not finished (those of `exclude` left out), oldest first. */
  nextScanUsers(input: {
    connectorId: string;
    pass: number;
    limit: number;
    exclude: string[];
  }): Promise<string[]>;

  /**
   * Walks part of one user's tree as that user (As-User): folder pages of 1,000 with the metadata fields,
   * files owned by the user upserted into the inventory (seen in this pass), changed ones (sha1, sharing or
   * policy version differ) downloaded and inspected, findings stored; subfolders queued in the store.
   * Heartbeats after each page; returns after a bounded amount of work with `userDone` when the user's
   * tree is finished, and `stored`: the pass's counts in the store once this call's work is committed.
   */
  scanUserFolders(input: {
    connectorId: string;
    dataCenter: DataCenter;
    pass: number;
    userId: string;
  }): Promise<ScanCounts & { userDone: boolean; stored?: StoredPassCounts }>;

  /**
   * Walks several users of the pass in one step (patch walk-steps-span-users): `usersAtOnce` of them at a
   * time, each as in scanUserFolders, a user whose walk ends handing its slot to the next of `userIds`. Ends
   * once every user is finished or after the step's budget (the users not finished then, started or not,
   * are in `unfinished`). A user Box will not let us walk (a non-retryable failure other than a rejected
   * token) is in `skipped` with why, and the others go on. `stored`: the pass's counts in the store once this
   * step's work is committed.
   */
  walkUsers(input: {
    connectorId: string;
    dataCenter: DataCenter;
    pass: number;
    userIds: string[];
    usersAtOnce: number;
  }): Promise<
    ScanCounts & {
      done: string[];
      unfinished: string[];
      skipped: Array<{ userId: string; error: string }>;
      stored: StoredPassCounts;
      /**
       * The most users the step walked at once: `usersAtOnce`, or more while their rate budgets held the
       * walk back (absent in results recorded before 2026-12-04).
       */
      mostUsersAtOnce?: number;
    }
  >;

  /**
   * Ends pass `pass`: inventory files not seen in it (gone from Box, or their owner no longer in scope) are
   * marked deleted and their findings closed; the pass's time and counts (the store's, exact even when an
   * activity's result was lost) are recorded. Returns the number of files marked deleted and the pass's
   * recorded counts (absent in results recorded before 2026-12-02).
   */
  finishScanPass(input: {
    connectorId: string;
    pass: number;
    counts: ScanCounts;
  }): Promise<{ deleted: number; counts?: ScanCounts }>;

  /**
   * Scans files with fresh events now (priority task queue): fetches each file's current metadata,
   * inspects it (download only when sha1, sharing or policies changed), stores the result; a file gone
   * from Box (404 / trashed) or a `delete` activity marks it deleted and closes its findings. The
   * rescans are counted in the store with the results (`priorityScanned`: the connector's count once this
   * call's work is committed; absent in results recorded before 2026-12-02).
   */
  scanPriorityFiles(input: {
    connectorId: string;
    dataCenter: DataCenter;
    files: FileEvent[];
  }): Promise<{ scanned: number; deleted: number; findings: number; priorityScanned?: number }>;

  /** Keeps priority files that do not fit the workflow's bounded queue in the store (deduplicated by file). */
  storePriorityOverflow(input: { connectorId: string; files: FileEvent[] }): Promise<{ stored: number }>;

  /**
   * Takes up to `limit` files back from the stored overflow (oldest first). They are leased, not removed:
   * scanPriorityFiles removes them once their result is stored, and a lease that is never acknowledged
   * (10 minutes) hands them out again, so a lost result drops nothing.
   */
  takePriorityOverflow(input: {
    connectorId: string;
    limit: number;
    /** Only these files (absent: the oldest rows); workers before this field take the oldest. */
    fileIds?: string[];
  }): Promise<FileEvent[]>;
}
