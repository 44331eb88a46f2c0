import { scanView } from '../../../api/connectors-service';
import type { StoredProgress } from '../../../store/scan-work-repository';
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
  priorityQueued: 4,
  priorityScanned: 2,
  lastPassCompletedAt: '2026-12-02T09:00:00.000Z',
  filesPerSecond: 0.4,
  message: 'Pass 3: 1 of 8 users walked, 40 files seen.',
};
const stored: StoredProgress = {
  pass: 3,
  usersTotal: 8,
  usersDone: 2,
  startedAt: '2026-12-02T10:00:00.000Z',
  filesSeen: 47,
  inspected: 35,
  skippedUnchanged: 12,
  findings: 9,
  priorityScanned: 6,
  lastPassCompletedAt: '2026-12-02T09:00:01.000Z',
};
const TEN_SECONDS_IN = Date.parse('2026-12-02T10:00:10.000Z');

describe('scan progress as the API shows it', () => {
  it('takes every figure from the store and the state and queue from the workflow', () => {
    expect(scanView(live, stored, TEN_SECONDS_IN)).toMatchObject({
      state: 'scanning',
      pass: 3,
      priorityQueued: 4,
      priorityScanned: 6,
      usersDone: 2,
      filesSeen: 47,
      findings: 9,
      filesPerSecond: 4.7,
      lastPassCompletedAt: '2026-12-02T09:00:01.000Z',
      message: 'Pass 3: 2 of 8 users walked, 47 files seen.',
      live: true,
    });
  });

  it('still answers from the store when the workflow does not', () => {
    const view = scanView(undefined, {
      ...stored,
      completedAt: '2026-12-02T10:05:00.000Z',
      lastPassCompletedAt: '2026-12-02T10:05:00.000Z',
    });
    expect(view).toMatchObject({
      state: 'waiting',
      pass: 4,
      filesSeen: 47,
      priorityScanned: 6,
      lastPassCompletedAt: '2026-12-02T10:05:00.000Z',
      live: false,
    });
    expect(view.filesPerSecond).toBeUndefined();
  });

  it('counts nothing yet in a pass the workflow started and the store has not recorded', () => {
    const done = { ...stored, completedAt: '2026-12-02T10:05:00.000Z' };
    const view = scanView({ ...live, pass: 4, usersTotal: 0, usersDone: 0 }, done, TEN_SECONDS_IN);
    expect(view).toMatchObject({ pass: 4, storedPass: 3, usersTotal: 0, filesSeen: 0, priorityScanned: 6 });
  });
});
