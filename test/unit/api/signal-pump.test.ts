import { SignalPump, type ExpressOptions } from '../../../api/signal-pump';

/** A pump of string items with express options that records each send and when (ms since made). */
function expressPump(intervalMs: number, express: ExpressOptions<string>) {
  const sent: Array<{ items: string[]; at: number }> = [];
  const started = Date.now();
  const pump = new SignalPump<string>(
    (_key, items) => {
      sent.push({ items, at: Date.now() - started });
      return Promise.resolve(true);
    },
    intervalMs,
    1000,
    Date.now,
    express,
  );
  return { pump, sent };
}

describe('SignalPump', () => {
  it('sends a quiet key at once, then at most one batch per interval, carrying everything queued meanwhile', async () => {
    const sent: Array<{ key: string; items: number[]; at: number }> = [];
    const started = Date.now();
    const pump = new SignalPump<number>(
      (key, items) => {
        sent.push({ key, items, at: Date.now() - started });
        return Promise.resolve(true);
      },
      100,
      1000,
    );
    void pump.add('c1', [1]);
    for (let i = 2; i <= 50; i++) {
      await new Promise((r) => setTimeout(r, 4));
      void pump.add('c1', [i]);
    }
    void pump.add('c2', [99]);
    await new Promise((r) => setTimeout(r, 250));
    await pump.drain();
    const c1 = sent.filter((s) => s.key === 'c1');
    expect(c1[0]!.items).toEqual([1]);
    expect(c1.flatMap((s) => s.items)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // 50 items over about 200 ms: the first at once, then one batch per 100 ms.
    expect(c1.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < c1.length; i++) expect(c1[i]!.at - c1[i - 1]!.at).toBeGreaterThanOrEqual(95);
    expect(sent.filter((s) => s.key === 'c2').map((s) => s.items)).toEqual([[99]]);
  });

  it('a full batch goes without waiting for the interval; a failed send does not stop the lane', async () => {
    let calls = 0;
    const sizes: number[] = [];
    const pump = new SignalPump<number>(
      (_key, items) => {
        calls++;
        sizes.push(items.length);
        return calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve(true);
      },
      60_000,
      3,
    );
    void pump.add('c1', [1]);
    void pump.add('c1', [2, 3, 4]);
    await new Promise((r) => setTimeout(r, 20));
    await pump.drain();
    expect(sizes).toEqual([1, 3]);
  });

  it('add resolves once its items were sent: true when accepted, false when a send carrying them failed', async () => {
    const batches: number[][] = [];
    const pump = new SignalPump<number>(
      (_key, items) => {
        batches.push(items);
        return items.includes(13) ? Promise.resolve(false) : Promise.resolve(true);
      },
      50,
      2,
    );
    const first = pump.add('c1', [1]);
    // Split over two sends (batches of 2, the second after the interval): settled only after it.
    const second = pump.add('c1', [2, 3, 4]);
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(batches).toEqual([[1], [2, 3], [4]]);
    expect(await pump.add('c1', [13])).toBe(false);
    expect(batches.flat()).toEqual([1, 2, 3, 4, 13]);
    expect(await pump.add('c1', [])).toBe(true);
  });

  it('a full batch goes at once even while an earlier, smaller one waits for the interval', async () => {
    const sent: Array<{ items: number[]; at: number }> = [];
    const started = Date.now();
    const pump = new SignalPump<number>(
      (_key, items) => {
        sent.push({ items, at: Date.now() - started });
        return Promise.resolve(true);
      },
      10_000,
      5,
    );
    await pump.add('c1', [0]); // quiet: at once
    const waits = [1, 2, 3, 4].map((i) => pump.add('c1', [i]));
    await new Promise((r) => setTimeout(r, 30));
    expect(sent).toHaveLength(1); // 4 waiting < 5: held for the interval
    waits.push(pump.add('c1', [5]));
    await Promise.all(waits); // the fifth fills the batch: sent without the 10 s wait
    expect(sent.map((s) => s.items)).toEqual([[0], [1, 2, 3, 4, 5]]);
    expect(sent[1]!.at).toBeLessThan(1000);
    void pump.add('c1', [6]);
    await pump.drain();
    expect(sent.map((s) => s.items).flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a file with no item in the quiet time travels express: sent a short gap after the last send, not a whole interval', async () => {
    const { pump, sent } = expressPump(1000, {
      keyOf: (item) => item.split(':')[0]!,
      quietMs: 60_000,
      minGapMs: 30,
      maxSendsPerSecond: 3,
    });
    void pump.add('c1', ['hot:1']); // a quiet connector: at once
    await new Promise((r) => setTimeout(r, 10));
    void pump.add('c1', ['hot:2']); // seen 10 ms ago: paced
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.map((s) => s.items)).toEqual([['hot:1']]);
    void pump.add('c1', ['cold:1']); // never seen: express, and it carries what waits
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.map((s) => s.items)).toEqual([['hot:1'], ['hot:2', 'cold:1']]);
    expect(sent[1]!.at).toBeLessThan(400);
    void pump.add('c1', ['cold:2']); // the same file again: paced a whole interval after the last send
    await new Promise((r) => setTimeout(r, 300));
    expect(sent).toHaveLength(2);
    await pump.drain();
    expect(sent.map((s) => s.items)).toEqual([['hot:1'], ['hot:2', 'cold:1'], ['cold:2']]);
  });

  it('without express options every item is paced alike', async () => {
    const sent: string[][] = [];
    const pump = new SignalPump<string>(
      (_key, items) => {
        sent.push(items);
        return Promise.resolve(true);
      },
      1000,
      1000,
    );
    void pump.add('c1', ['a']);
    await new Promise((r) => setTimeout(r, 10));
    void pump.add('c1', ['b']);
    await new Promise((r) => setTimeout(r, 150));
    expect(sent).toEqual([['a']]);
    await pump.drain();
    expect(sent).toEqual([['a'], ['b']]);
  });

  it('many new files at once are paced: express sends stop at maxSendsPerSecond', async () => {
    const { pump, sent } = expressPump(300, {
      keyOf: (item) => item,
      quietMs: 60_000,
      minGapMs: 10,
      maxSendsPerSecond: 3,
    });
    for (let i = 0; i < 20; i++) {
      void pump.add('c1', [`new-${i}`]); // every item a file never seen
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 800)); // the paced sends, not drain's
    await pump.drain();
    expect(sent.flatMap((s) => s.items)).toHaveLength(20);
    // 500 ms of new files: the first at once (a quiet connector), two express, then paced at 300 ms.
    expect(sent.length).toBeLessThanOrEqual(5);
    for (let i = 3; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(290);
  });
});
