/** Polls `probe` until it resolves truthy or `timeoutMs` passes; throws with `what` on timeout. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
  failed?: Promise<never>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.race([probe().catch(() => false), ...(failed ? [failed] : [])]);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** True when an HTTP GET answers with a status below 500. */
export async function httpUp(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return res.status < 500;
}
