import { UserRateBudget } from '../../../box/user-rate-budget';

/** Lets `ms` of fake time pass, running the timers due and the promise callbacks they release. */
async function pass(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

describe('UserRateBudget', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** Starts `n` takes of `key` and records the fake time at which each was let through. */
  function takeMany(budget: UserRateBudget, key: string, n: number, options = {}) {
    const at: number[] = [];
    const all = Array.from({ length: n }, () => budget.take(key, options).then(() => at.push(Date.now())));
    return { at, all: Promise.all(all) };
  }

  it('lets a burst through at once, then paces each key to its calls per minute', async () => {
    const budget = new UserRateBudget({ callsPerMinute: 600, burst: 5 }); // one call per 100 ms
    const start = Date.now();
    const { at, all } = takeMany(budget, 'c/u1', 15);
    await pass(0);
    expect(at).toHaveLength(5);
    await pass(1000);
    await all;
    expect(at).toHaveLength(15);
    // After the burst, one call every 100 ms: the 15th at 1 s.
    expect(at.slice(5).map((t) => t - start)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(budget.taken('c/u1')).toBe(15);
  });

  it('never lets more than burst + callsPerMinute through in any minute', async () => {
    const budget = new UserRateBudget({ callsPerMinute: 950, burst: 50 });
    const start = Date.now();
    const { at, all } = takeMany(budget, 'c/u1', 3000);
    await pass(200_000);
    await all;
    for (let from = start; from < start + 120_000; from += 1000) {
      const inMinute = at.filter((t) => t >= from && t < from + 60_000).length;
      expect(inMinute).toBeLessThanOrEqual(1000);
    }
    // ...and spends it: 950 a minute once the burst is gone.
    const second = at.filter((t) => t >= start + 60_000 && t < start + 120_000).length;
    expect(second).toBeGreaterThanOrEqual(949);
  });

  it('keeps each key to its own budget', async () => {
    const budget = new UserRateBudget({ callsPerMinute: 600, burst: 2 });
    const a = takeMany(budget, 'c/u1', 4);
    const b = takeMany(budget, 'c/u2', 2);
    await pass(0);
    expect(a.at).toHaveLength(2);
    expect(b.at).toHaveLength(2);
    await pass(200);
    await Promise.all([a.all, b.all]);
  });

  it('lets urgent calls go before the bulk calls waiting on the same key', async () => {
    const budget = new UserRateBudget({ callsPerMinute: 600, burst: 1 });
    const order: string[] = [];
    await budget.take('c/u1');
    const bulk = [1, 2, 3].map((i) => budget.take('c/u1').then(() => order.push(`bulk${i}`)));
    const urgent = budget.take('c/u1', { urgent: true }).then(() => order.push('urgent'));
    await pass(1000);
    await Promise.all([...bulk, urgent]);
    expect(order).toEqual(['urgent', 'bulk1', 'bulk2', 'bulk3']);
  });

  it('rejects a waiting call whose signal aborts, and lets the next one have its turn', async () => {
    const budget = new UserRateBudget({ callsPerMinute: 600, burst: 1 });
    await budget.take('c/u1');
    const controller = new AbortController();
    const aborted = budget.take('c/u1', { signal: controller.signal });
    const next = budget.take('c/u1');
    controller.abort(new Error('step cancelled'));
    await expect(aborted).rejects.toThrow('step cancelled');
    await pass(100);
    await next;
    expect(budget.taken('c/u1')).toBe(2);
    const dead = new AbortController();
    dead.abort(new Error('gone already'));
    await expect(budget.take('c/u1', { signal: dead.signal })).rejects.toThrow('gone already');
  });

  it('adds one abort listener per signal, however many calls wait on it', async () => {
    const budget = new UserRateBudget({ callsPerMinute: 600, burst: 1 });
    const controller = new AbortController();
    const added = jest.spyOn(controller.signal, 'addEventListener');
    const waiting = Array.from({ length: 30 }, () =>
      budget.take('c/u1', { signal: controller.signal }).then(
        () => 'through',
        () => 'aborted',
      ),
    );
    await pass(1000);
    controller.abort(new Error('step cancelled'));
    const outcomes = await Promise.all(waiting);
    expect(added).toHaveBeenCalledTimes(1);
    expect(outcomes.filter((o) => o === 'through')).toHaveLength(11); // the burst, then one per 100 ms
    expect(outcomes.filter((o) => o === 'aborted')).toHaveLength(19);
  });

  it("after a 429 waits for Box's retry-after, goes a fifth slower, and recovers a tenth a minute", async () => {
    const budget = new UserRateBudget({ callsPerMinute: 600, burst: 1, recoverAfterMs: 60_000 });
    await budget.take('c/u1');
    budget.rateLimited('c/u1', 3000);
    expect(budget.callsPerMinute('c/u1')).toBe(480);
    const start = Date.now();
    const { at, all } = takeMany(budget, 'c/u1', 2);
    await pass(2999);
    expect(at).toHaveLength(0);
    await pass(1000);
    await all;
    // 3 s of pause, then one call per 125 ms (480 a minute).
    expect(at.map((t) => t - start)).toEqual([3125, 3250]);
    await pass(60_000);
    await budget.take('c/u1');
    expect(budget.callsPerMinute('c/u1')).toBeCloseTo(528, 6);
  });

  it('forgets keys idle for 5 minutes', async () => {
    const budget = new UserRateBudget({ callsPerMinute: 600 });
    await budget.take('c/u1');
    await budget.take('c/u2');
    expect(budget.size).toBe(2);
    await pass(5 * 60_000);
    await budget.take('c/u3');
    expect(budget.size).toBe(1);
  });

  it('paces nothing with 0 calls per minute', async () => {
    const budget = new UserRateBudget({ callsPerMinute: 0 });
    expect(budget.enabled).toBe(false);
    await Promise.all(Array.from({ length: 10_000 }, () => budget.take('c/u1')));
    expect(budget.size).toBe(0);
  });
});
