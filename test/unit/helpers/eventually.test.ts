import { eventually } from '../../helpers/eventually';

describe('eventually', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('returns at once when the condition holds, and the accepted value when `accept` decides', async () => {
    await expect(eventually(() => true, { what: 'truth' })).resolves.toBe(true);
    let n = 0;
    const value = await eventually(() => ({ n: ++n }), {
      what: 'n to reach 3',
      intervalMs: 1,
      accept: (v) => v.n >= 3,
    });
    expect(value).toEqual({ n: 3 });
  });

  it('keeps polling through errors and resolves once the condition holds', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return Promise.resolve(calls);
      },
      { what: 'the third call', intervalMs: 1, accept: (v) => v === 3 },
    );
    expect(value).toBe(3);
  });

  it('throws with what it waited for and the last value it saw', async () => {
    let n = 0;
    const error = await eventually(() => ({ n: ++n }), {
      what: 'n to reach 1000',
      timeoutMs: 30,
      intervalMs: 5,
      accept: (v) => v.n >= 1000,
    }).catch((err: unknown) => err);
    expect(n).toBeGreaterThan(1);
    expect(error).toEqual(
      new Error(`Timed out after 30 ms waiting for n to reach 1000; last saw value {"n":${n}}`),
    );
  });

  it('throws with the last error when the condition last failed', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('connection refused');
        },
        { what: 'the server', timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow(
      'Timed out after 20 ms waiting for the server; last saw error Error: connection refused',
    );
  });

  it('honours the timeout: polls every interval until it ends, not after', async () => {
    jest.useFakeTimers({ now: 0 });
    let calls = 0;
    let settled: unknown;
    const waiting = eventually(() => (calls++, false), {
      what: 'never',
      timeoutMs: 1000,
      intervalMs: 100,
    }).catch((err: unknown) => (settled = err));
    await jest.advanceTimersByTimeAsync(950);
    expect(settled).toBeUndefined();
    expect(calls).toBe(10); // t = 0, 100, ..., 900
    await jest.advanceTimersByTimeAsync(100);
    await waiting;
    expect(settled).toEqual(new Error('Timed out after 1000 ms waiting for never; last saw value false'));
    expect(calls).toBe(11); // the last look at t = 1000
  });
});
