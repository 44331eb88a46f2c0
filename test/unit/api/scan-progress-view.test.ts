import { scanView } from '../../../api/connectors-routes';
import type { ScanProgress } from '../../../workflows/scan-files-messages';

const live: ScanProgress = {
  state: 'scanning',
  pass: 3,
  usersDone: 1,
  usersTotal: 8,
  filesSeen: 40,
  inspected: 30,
  skippedUnchanged: 10,
  findings: 5,
  priorityQueued: 0,
  priorityScanned: 2,
  message: 'Pass 3: 1 of 8 users walked, 40 files seen.',
};
const stored = {
  pass: 3,
  usersTotal: 8,
  usersDone: 2,
  startedAt: '2026-12-02T10:00:00.000Z',
  filesSeen: 47,
  inspected: 35,
  skippedUnchanged: 12,
  findings: 9,
};

describe('scan progress as the API shows it', () => {
  it('takes the figures from the store and the state from the workflow', () => {
    expect(scanView(live, stored)).toMatchObject({
      state: 'scanning',
      priorityScanned: 2,
      usersDone: 2,
      filesSeen: 47,
      findings: 9,
      message: 'Pass 3: 2 of 8 users walked, 47 files seen.',
      live: true,
    });
  });

  it('still answers from the store when the workflow does not', () => {
    expect(scanView(undefined, { ...stored, completedAt: '2026-12-02T10:05:00.000Z' })).toMatchObject({
      state: 'waiting',
      pass: 4,
      filesSeen: 47,
      lastPassCompletedAt: '2026-12-02T10:05:00.000Z',
      live: false,
    });
  });
});
