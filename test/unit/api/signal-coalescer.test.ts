import { SignalCoalescer } from '../../../api/signal-coalescer';
import { eventually } from '../../helpers/eventually';

/** A sender that records batches and can be told to fail or to hold a batch until released. */
function recorder() {
  const batches: Array<{ key: string; items: number[] }> = [];
  let failWith: Error | undefined;
  const send = (key: string, items: number[]) => {
    batches.push({ key, items: [...items] });
    return failWith ? Promise.reject(failWith) : Promise.resolve(items.map(() => undefined));
  };
  return { batches, send, fail: (err?: Error) => (failWith = err) };
}

describe('SignalCoalescer', () => {
  it('items submitted close together under one key go out as one batch, and every submitter hears of it', async () => {
    const r = recorder();
    const c = new SignalCoalescer<number, void>(r.send, { delayMs: 20, maxBatch: 100 });
    await Promise.all([c.submit('a', 1), c.submit('a', 2), c.submit('a', 3)]);
    expect(r.batches).toEqual([{ key: 'a', items: [1, 2, 3] }]);
    expect(c.batchesSent).toBe(1);
  });

  it('keys are batched apart', async () => {
    const r = recorder();
    const c = new SignalCoalescer<number, void>(r.send, { delayMs: 10, maxBatch: 100 });
    await Promise.all([c.submit('a', 1), c.submit('b', 2), c.submit('a', 3)]);
    expect(r.batches).toEqual(
      expect.arrayContaining([
        { key: 'a', items: [1, 3] },
        { key: 'b', items: [2] },
      ]),
    );
    expect(r.batches).toHaveLength(2);
  });

  it('a full batch is sent without waiting for the delay', async () => {
    const r = recorder();
    // A delay no test would wait for: only the size bound can send these.
    const c = new SignalCoalescer<number, void>(r.send, { delayMs: 3_600_000, maxBatch: 3 });
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => c.submit('a', n)));
    expect(r.batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('no batch is ever larger than maxBatch', async () => {
    const r = recorder();
    const c = new SignalCoalescer<number, void>(r.send, { delayMs: 5, maxBatch: 7 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => c.submit('a', i)));
    expect(r.batches.every((b) => b.items.length <= 7)).toBe(true);
    expect(r.batches.flatMap((b) => b.items).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('when the send fails, every submitter of that batch gets the error; the next batch is independent', async () => {
    const r = recorder();
    const c = new SignalCoalescer<number, void>(r.send, { delayMs: 5, maxBatch: 100 });
    r.fail(new Error('temporal unavailable'));
    const failed = [c.submit('a', 1), c.submit('a', 2)];
    await expect(failed[0]).rejects.toThrow('temporal unavailable');
    await expect(failed[1]).rejects.toThrow('temporal unavailable');
    r.fail(undefined);
    await expect(c.submit('a', 3)).resolves.toBeUndefined();
    expect(r.batches.map((b) => b.items)).toEqual([[1, 2], [3]]);
  });

  it('a submitter is not answered before its batch was sent', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sent: number[][] = [];
    let sending: number[] | undefined;
    const c = new SignalCoalescer<number, void>(
      async (_key, items) => {
        sending = items;
        await held;
        sent.push(items);
        return items.map(() => undefined);
      },
      { delayMs: 1, maxBatch: 100 },
    );
    let answered = false;
    const done = c.submit('a', 1).then(() => (answered = true));
    // The batch is in the sender, held: the one moment at which an early answer would show.
    await eventually(() => sending, { what: 'the batch to be sending', accept: (b) => b !== undefined });
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    release();
    await done;
    expect(sent).toEqual([[1]]);
  });

  it('each submitter gets the result of its own item', async () => {
    const c = new SignalCoalescer<number, string>(
      (key, items) => Promise.resolve(items.map((n) => `${key}:${n * 10}`)),
      { delayMs: 5, maxBatch: 100 },
    );
    expect(await Promise.all([c.submit('a', 1), c.submit('a', 2), c.submit('b', 3)])).toEqual([
      'a:10',
      'a:20',
      'b:30',
    ]);
  });

  it('a sender answering for the wrong number of items fails the batch', async () => {
    const c = new SignalCoalescer<number, number>(() => Promise.resolve([]), { delayMs: 1, maxBatch: 10 });
    await expect(c.submit('a', 1)).rejects.toThrow('returned 0 results for 1 items');
  });

  it('drain sends what is pending at once', async () => {
    const r = recorder();
    const c = new SignalCoalescer<number, void>(r.send, { delayMs: 3_600_000, maxBatch: 100 });
    const pending = c.submit('a', 1);
    await c.drain();
    await pending;
    expect(r.batches).toEqual([{ key: 'a', items: [1] }]);
  });
});
