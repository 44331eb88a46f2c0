import { mapAtOnce } from '../../../activities/at-once';

/** A call that resolves when the test says so, recording how many run at once. */
class Calls {
  running = 0;
  most = 0;
  started: number[] = [];
  private pending = new Map<number, { resolve: (v: string) => void; reject: (e: unknown) => void }>();

  run = (item: number): Promise<string> => {
    this.started.push(item);
    this.running++;
    this.most = Math.max(this.most, this.running);
    return new Promise<string>((resolve, reject) => this.pending.set(item, { resolve, reject })).finally(
      () => this.running--,
    );
  };
  resolve(item: number) {
    this.pending.get(item)!.resolve(`r${item}`);
  }
  reject(item: number, err: unknown) {
    this.pending.get(item)!.reject(err);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('mapAtOnce', () => {
  it('runs at most `limit` calls at once and answers in the items’ order', async () => {
    const calls = new Calls();
    const done = mapAtOnce([0, 1, 2, 3, 4], 2, calls.run);
    await tick();
    expect(calls.started).toEqual([0, 1]);
    calls.resolve(1);
    await tick();
    expect(calls.started).toEqual([0, 1, 2]);
    for (const i of [2, 0, 3, 4]) {
      calls.resolve(i);
      await tick();
    }
    expect(await done).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(calls.most).toBe(2);
    expect(await mapAtOnce([], 3, calls.run)).toEqual([]);
  });

  it('after a failure starts nothing more, waits for the running calls, then throws the first failure', async () => {
    const calls = new Calls();
    let settled = false;
    const done = mapAtOnce([0, 1, 2, 3, 4], 2, calls.run).finally(() => (settled = true));
    done.catch(() => undefined);
    await tick();
    calls.reject(0, new Error('first'));
    await tick();
    expect(calls.started).toEqual([0, 1]);
    expect(settled).toBe(false); // 1 still runs
    calls.reject(1, new Error('second'));
    await expect(done).rejects.toThrow('first');
    expect(calls.started).toEqual([0, 1]);
    expect(calls.running).toBe(0);
  });

  it('once the signal is aborted starts nothing more and throws its reason', async () => {
    const calls = new Calls();
    const abort = new AbortController();
    const done = mapAtOnce([0, 1, 2, 3], 1, calls.run, abort.signal);
    done.catch(() => undefined);
    await tick();
    abort.abort(new Error('cancelled'));
    calls.resolve(0);
    await expect(done).rejects.toThrow('cancelled');
    expect(calls.started).toEqual([0]);
  });

  it('refuses a limit that is not a positive integer', async () => {
    await expect(mapAtOnce([1], 0, () => Promise.resolve(1))).rejects.toThrow(
      'mapAtOnce: limit must be a positive integer, got 0',
    );
    await expect(mapAtOnce([1], 1.5, () => Promise.resolve(1))).rejects.toThrow('got 1.5');
  });
});
