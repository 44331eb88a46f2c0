import type { Context } from '@temporalio/activity';

/**
 * How often a long step heartbeats whatever it is waiting on (a slow Box page, a large download, a slow
 * store): inside the 5 s the workflows count on, so a crashed worker is noticed by the heartbeat timeout
 * (STEP_HEARTBEAT_TIMEOUT, workflows/step-timeouts.ts) and not by the start-to-close timeout.
 */
export const KEEPALIVE_MS = 4_000;

/** Runs `work` while heartbeating `details()` every KEEPALIVE_MS (plus whatever `work` heartbeats itself). */
export async function withKeepalive<T>(
  ctx: Context,
  details: () => unknown,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => ctx.heartbeat(details()), KEEPALIVE_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
