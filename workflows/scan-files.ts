import { condition, setHandler } from '@temporalio/workflow';
import type { FileActivity } from './file-activity';
import {
  prioritizeSignal,
  progressQuery,
  rescanNowSignal,
  resumeSignal,
  type ScanProgress,
} from './scan-files-messages';

/** Input of scanFiles. */
export interface ScanFilesInput {
  connectorId: string;
  dataCenter: string;
  scope: 'allUsers' | 'allButOtherAdmins';
  rescanIntervalMs: number;
  taskQueues: { main: string; scan: string; priority: string };
  parentWorkflowId: string;
}

/**
 * The scan of every file (ID `connector/<id>/scan`). This first version receives the hand-off from
 * connectBox (start, prioritize, rescanNow, resume, progress) but does not enumerate Box yet: that is the
 * scan issue's work. Prioritized files are counted, not scanned.
 */
export async function scanFiles(_input: ScanFilesInput): Promise<void> {
  const queued = new Set<string>();
  const progress: ScanProgress = {
    state: 'waiting',
    pass: 0,
    usersDone: 0,
    usersTotal: 0,
    filesSeen: 0,
    inspected: 0,
    skippedUnchanged: 0,
    findings: 0,
    priorityQueued: 0,
    priorityScanned: 0,
    message: 'Scanning is not implemented yet; file activity is received and counted.',
  };
  setHandler(progressQuery, () => ({ ...progress, priorityQueued: queued.size }));
  setHandler(prioritizeSignal, ({ files }: { files: FileActivity[] }) =>
    files.forEach((f) => queued.add(f.fileId)),
  );
  setHandler(rescanNowSignal, () => undefined);
  setHandler(resumeSignal, () => undefined);
  await condition(() => false);
}
