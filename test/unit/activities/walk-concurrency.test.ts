import { mapAdaptively } from '../../../activities/adaptive-at-once';
import { WalkConcurrency } from '../../../activities/walk-concurrency';

describe('WalkConcurrency', () => {
  let now = 0;
  const calls = new Map<string, number>();
  const make = (floor: number, ceiling: number, start?: number) =>
    new WalkConcurrency({
      floor,
      ceiling,
      ...(start !== undefined && { start }),
      pacePerMs: 0.01, // 10 calls a second
      callsOf: (u) => calls.get(u) ?? 0,
      now: () => now,
    });
  /** Each user makes `share` of its budget over the next second. */
  const second = (users: string[], share: number) => {
    now += 1000;
    for (const u of users) calls.set(u, (calls.get(u) ?? 0) + 10 * share);
  };
  beforeEach(() => {
    now = 0;
    calls.clear();
  });

  it('walks a quarter more users at once while they use their whole budget, up to the ceiling', () => {
    const c = make(2, 10);
    c.started('a');
    c.started('b');
    const limits: number[] = [];
    for (let i = 0; i < 8; i++) {
      second(['a', 'b'], 1);
      limits.push(c.tick());
    }
    expect(limits).toEqual([3, 4, 5, 6, 8, 10, 10, 10]);
    expect(c.lastUsage).toBe(1);
    c.ended('a');
    c.started('c');
    expect(c.mostAtOnce).toBe(2);
  });

  it('walks one user fewer while they use under 92 % of it, down to the floor', () => {
    const c = make(2, 10, 5);
    expect(c.limit).toBe(5);
    c.started('a');
    const limits: number[] = [];
    for (let i = 0; i < 4; i++) {
      second(['a'], 0.5);
      limits.push(c.tick());
    }
    expect(limits).toEqual([4, 3, 2, 2]);
  });

  it('holds between 92 % and 97 %, and without running users', () => {
    const c = make(1, 10, 4);
    c.started('a');
    second(['a'], 0.95);
    expect(c.tick()).toBe(4);
    c.ended('a');
    second([], 0);
    expect(c.tick()).toBe(4);
  });

  it('counts only what a user did since it started or since the last tick', () => {
    const c = make(1, 10, 4);
    calls.set('a', 500); // calls of an earlier step
    now += 500;
    c.started('a');
    second(['a'], 1);
    expect(c.tick()).toBe(5);
  });

  it("does not take a user's burst for being held back by its budget", () => {
    const withBurst = new WalkConcurrency({
      floor: 1,
      ceiling: 10,
      start: 4,
      pacePerMs: 0.01,
      burst: 50,
      callsOf: (u) => calls.get(u) ?? 0,
      now: () => now,
    });
    withBurst.started('a');
    now += 1000;
    calls.set('a', 50); // its burst, then nothing: not held back by the budget (without the burst: 5x)
    expect(withBurst.tick()).toBe(3);
    now += 1000;
    calls.set('a', 50 + 10); // then its whole pace
    expect(withBurst.tick()).toBe(4);
  });

  it('adapts nothing without a rate budget, and never goes past the users it has', () => {
    const fixed = new WalkConcurrency({ floor: 3, ceiling: 8, pacePerMs: 0, callsOf: () => 1e9 });
    fixed.started('a');
    expect(fixed.tick()).toBe(3);
    expect(make(4, 2).limit).toBe(2);
  });
});

describe('mapAdaptively', () => {
  it('follows the limit as it changes, and runs every item once', async () => {
    let limit = 1;
    let running = 0;
    const most: number[] = [];
    const seen: number[] = [];
    const items = Array.from({ length: 12 }, (_, i) => i);
    await mapAdaptively(
      items,
      () => limit,
      async (i) => {
        running++;
        most.push(running);
        seen.push(i);
        if (i === 1) limit = 4;
        if (i === 8) limit = 2;
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
      { recheckMs: 1 },
    );
    expect(seen.sort((a, b) => a - b)).toEqual(items);
    expect(Math.max(...most.slice(0, 2))).toBe(1);
    expect(Math.max(...most)).toBe(4);
  });

  it('starts nothing after a failure, awaits the calls running, throws the first failure', async () => {
    const started: number[] = [];
    let finished = 0;
    await expect(
      mapAdaptively(
        [0, 1, 2, 3, 4, 5],
        () => 2,
        async (i) => {
          started.push(i);
          if (i === 1) throw new Error('boom');
          await new Promise((r) => setTimeout(r, 10));
          finished++;
        },
      ),
    ).rejects.toThrow('boom');
    expect(started).toEqual([0, 1]);
    expect(finished).toBe(1);
  });

  it('stops starting items once the signal aborts', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    await expect(
      mapAdaptively(
        [0, 1, 2, 3],
        () => 1,
        (i) => {
          started.push(i);
          if (i === 1) controller.abort(new Error('cancelled'));
          return Promise.resolve();
        },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('cancelled');
    expect(started).toEqual([0, 1]);
  });

  it('resolves at once for no items', async () => {
    await expect(
      mapAdaptively(
        [],
        () => 3,
        () => Promise.reject(new Error('never')),
      ),
    ).resolves.toBeUndefined();
  });
});
