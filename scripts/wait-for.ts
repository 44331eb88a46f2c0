/** Polls `probe` until it resolves truthy or `timeoutMs` passes; throws with `what` on timeout. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
  failed?: Promise<never>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.race([
      probe().catch((err: unknown) => {
        if (err instanceof ForeignAnswerError) throw err; // waiting longer will not change who answers
        return false;
      }),
      ...(failed ? [failed] : []),
    ]);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * True when an HTTP GET answers JSON whose `instance` is `instance`; throws when something else answers
 * there (another stack, or another program), so the launcher never takes it for the process it started.
 */
export async function answersAs(url: string, instance: string, service: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (res.status >= 500) return false;
  const body = (await res.json().catch(() => undefined)) as { instance?: unknown } | undefined;
  if (body?.instance === instance) return true;
  throw new ForeignAnswerError(
    `${url} answers, but not as the ${service} this launcher started (it says instance ${JSON.stringify(body?.instance ?? null)}, expected ${instance}): another program holds the port`,
  );
}

/** Thrown when a health route answers for another process than the one the launcher started. */
export class ForeignAnswerError extends Error {}
