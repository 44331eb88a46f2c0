/**
 * Runs `fn` over `items`, as many at once as `limit()` says when a call ends or every `recheckMs` (it may
 * change while they run), at least one. Failure and abort as in `mapAtOnce`: on the first failure no
 * further item is started, the calls running are awaited and the first failure is thrown.
 */
export async function mapAdaptively<T>(
  items: readonly T[],
  limit: () => number,
  fn: (item: T) => Promise<void>,
  options: { signal?: AbortSignal; recheckMs?: number } = {},
): Promise<void> {
  const { signal } = options;
  let next = 0;
  let running = 0;
  let failure: { err: unknown } | undefined;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => fill(), options.recheckMs ?? 250);
    const settle = () => {
      if (running > 0) return;
      if (failure || next >= items.length) {
        clearInterval(timer);
        resolve();
      }
    };
    const fill = () => {
      if (!failure && signal?.aborted) failure = { err: signal.reason };
      while (!failure && next < items.length && running < Math.max(1, limit())) {
        const item = items[next++]!;
        running++;
        void fn(item)
          .catch((err: unknown) => void (failure ??= { err }))
          .finally(() => {
            running--;
            fill();
            settle();
          });
      }
      settle();
    };
    fill();
  });
  if (failure) throw failure.err;
}
