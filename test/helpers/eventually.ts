/**
 * Waits until `condition` holds (returns true, or a value for which `accept` is true), polling every
 * `intervalMs`; throws after `timeoutMs` with what it waited for and the last value (or error) it saw.
 * The one polling helper of the suite (the shape of the Temporal SDK's own `waitUntil`).
 */
export async function eventually<T>(
  condition: () => Promise<T> | T,
  options: { what: string; timeoutMs?: number; intervalMs?: number; accept?: (value: T) => boolean },
): Promise<T> {
  const { what, timeoutMs = 30_000, intervalMs = 50 } = options;
  const accept = options.accept ?? ((v: T) => v === true);
  const deadline = Date.now() + timeoutMs;
  let last: { value?: T; error?: unknown } = {};
  for (;;) {
    try {
      const value = await condition();
      if (accept(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen = 'error' in last ? `error ${String(last.error)}` : `value ${JSON.stringify(last.value)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last saw ${seen}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
