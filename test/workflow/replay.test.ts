import { replayFixtures } from '../helpers/replay';

describe('recorded workflow histories', () => {
  it('replay against the current workflow code without non-determinism', async () => {
    const { replayed, failures } = await replayFixtures();
    expect(failures).toEqual([]);
    // connectBox, backfillActivities and scanFiles (recorded by test/integration/connect.test.ts).
    expect(replayed).toBeGreaterThanOrEqual(3);
  });
});
