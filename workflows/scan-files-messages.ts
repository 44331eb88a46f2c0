import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { FileEvent } from '../domain/file-event';

/** Files with fresh events: scan them ahead of the full scan (deletes mark the inventory). */
export const prioritizeSignal = defineSignal<[{ files: FileEvent[] }]>('prioritize');
/** Start the next pass now instead of after the rescan interval. */
export const rescanNowSignal = defineSignal('rescanNow');
/** The connector was authorized again after a rejected token: scanning may resume. */
export { resumeSignal } from './child-workflows';

/** Progress of the scan, for the connector status and the API. */
export interface ScanProgress {
  state: 'scanning' | 'waiting' | 'paused';
  pass: number;
  usersDone: number;
  usersTotal: number;
  filesSeen: number;
  inspected: number;
  skippedUnchanged: number;
  findings: number;
  priorityQueued: number;
  priorityScanned: number;
  lastPassCompletedAt?: string;
  nextPassAt?: string;
  /** Files seen per second in the running pass. */
  filesPerSecond?: number;
  message: string;
}

/** The scan's progress. */
export const progressQuery = defineQuery<ScanProgress>('progress');
