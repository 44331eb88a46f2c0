import { replayFixtures } from '../helpers/replay';

describe('recorded workflow histories', () => {
  it('replay against the current workflow code without non-determinism', async () => {
    const { replayed, failures } = await replayFixtures();
    expect(failures).toEqual([]);
    // connectBox, the backfill and scanFiles as recorded by test/integration/connect.test.ts: before the
    // vocabulary change (backfillActivities, no patch markers), after it (2026-12-*), after the event stream
    // (2026-12-event-stream-*) and after the routing loop, the repair deadline and the authorize update
    // (2026-12-authorize-update-*); scanFiles with priority batches as recorded by
    // test/workflow/scan-files.test.ts, one batch at a time before the priority-batches-in-flight patch
    // (2026-12-serial-lane-*), several at once after it (2026-12-priority-batches-*), fresh first after
    // priority-fresh-first (2026-12-fresh-first-*), one hot slot and heat by events after
    // priority-hot-by-activity (2026-12-hot-by-activity-*), walk steps of several users after
    // walk-steps-span-users (2026-12-walk-steps-*).
    expect(replayed).toBeGreaterThanOrEqual(27);
  });
});
