/**
 * Runs `fn` over `items` with at most `limit` calls at once and returns the results in the items' order.
 * On the first failure no further item is started; the calls already running are awaited (so no Box call
 * outlives the step that made it) and the first failure is thrown. An aborted `signal` stops starting
 * items too (the calls running see the signal themselves) and throws its reason.
 */
export async function mapAtOnce<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`mapAtOnce: limit must be a positive integer, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      if (signal?.aborted) {
        failure = { err: signal.reason };
        return;
      }
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
  return results;
}
