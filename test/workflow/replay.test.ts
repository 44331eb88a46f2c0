import { replayFixtures } from '../helpers/replay';

describe('recorded workflow histories', () => {
  it('replay against the current workflow code without non-determinism', async () => {
    const { replayed, failures } = await replayFixtures();
    expect(failures).toEqual([]);
    // connectBox, the backfill and scanFiles as recorded by test/integration/connect.test.ts: before the
    // vocabulary change (backfillActivities, no patch markers) and after it (2026-12-*).
    expect(replayed).toBeGreaterThanOrEqual(6);
  });
});
