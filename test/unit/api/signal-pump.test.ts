import { SignalPump } from '../../../api/signal-pump';

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
    pump.add('c1', [1]);
    for (let i = 2; i <= 50; i++) {
      await new Promise((r) => setTimeout(r, 4));
      pump.add('c1', [i]);
    }
    pump.add('c2', [99]);
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
    pump.add('c1', [1]);
    pump.add('c1', [2, 3, 4]);
    await new Promise((r) => setTimeout(r, 20));
    await pump.drain();
    expect(sizes).toEqual([1, 3]);
  });
});
