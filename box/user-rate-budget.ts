import { AsyncLocalStorage } from 'node:async_hooks';
import { boxBudgetWaitSeconds } from '../telemetry/metrics';

/** Tuning of UserRateBudget; tests pass their own clock. */
export interface UserRateBudgetOptions {
  /** Calls per minute each key may make (0: no pacing at all). */
  callsPerMinute: number;
  /** Calls a key may make at once after being idle; the pace holds after them (default 50). */
  burst?: number;
  /** Clock in milliseconds (default Date.now). */
  now?: () => number;
  /** After a 429, how long the key's lowered pace holds before it is raised again by a tenth (default 60 s). */
  recoverAfterMs?: number;
}

interface Waiter {
  urgent: boolean;
  resolve: () => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  since: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Calls per millisecond now: the configured pace, or less after a 429. */
  perMs: number;
  pausedUntil: number;
  penalizedAt: number;
  urgent: Waiter[];
  normal: Waiter[];
  timer: NodeJS.Timeout | undefined;
  /** Calls let through, in all (adaptive concurrency reads it). */
  taken: number;
  lastUsed: number;
}

/** Box calls made inside `urgentBoxCalls.run(true, ...)` go before the key's waiting bulk calls. */
export const urgentBoxCalls = new AsyncLocalStorage<boolean>();

const IDLE_KEY_MS = 5 * 60_000;

/**
 * Box's per-user rate budget, spent evenly: each key (a connector's user, as the `As-User` header names
 * it) makes at most `burst` calls at once and then `callsPerMinute`, so in any minute no more than
 * `burst + callsPerMinute` (50 + 950 by default, Box's 1,000). A call over the budget waits here instead
 * of drawing a 429 from Box; urgent calls (a rescan of an edited file) go before the waiting walk. A 429
 * anyway (another app spends the same user's budget) pauses the key for Box's `retry-after` and lowers
 * its pace by a fifth, raised again a tenth a minute while no 429 comes. Keys idle for 5 minutes are
 * forgotten, so memory follows the users being walked, not the enterprise.
 */
export class UserRateBudget {
  private readonly buckets = new Map<string, Bucket>();
  /**
   * The waiters of each signal: one abort listener per signal (a walk step's calls share its activity's
   * signal; a listener per waiting call would pass node's limit of 10 and warn).
   */
  private readonly watchers = new WeakMap<AbortSignal, Set<Waiter>>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly recoverAfterMs: number;
  private lastSweep: number;

  constructor(options: UserRateBudgetOptions) {
    this.perMs = Math.max(0, options.callsPerMinute) / 60_000;
    this.burst = Math.max(1, options.burst ?? 50);
    this.now = options.now ?? Date.now;
    this.recoverAfterMs = options.recoverAfterMs ?? 60_000;
    this.lastSweep = this.now();
  }

  /** Whether calls are paced at all. */
  get enabled(): boolean {
    return this.perMs > 0;
  }

  /**
   * Resolves when the key may make one call (at once when its budget allows). Rejects with the signal's
   * reason if it is aborted while waiting.
   */
  take(key: string, options: { urgent?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    const now = this.now();
    this.sweepIdle(now);
    const bucket = this.bucket(key, now);
    this.refill(bucket, now);
    bucket.lastUsed = now;
    if (
      bucket.urgent.length + bucket.normal.length === 0 &&
      now >= bucket.pausedUntil &&
      bucket.tokens >= 1
    ) {
      bucket.tokens -= 1;
      bucket.taken++;
      return Promise.resolve();
    }
    if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        urgent: options.urgent === true,
        resolve,
        signal: options.signal,
        since: now,
      };
      const queue = options.urgent ? bucket.urgent : bucket.normal;
      queue.push(waiter);
      if (options.signal) {
        waiter.onAbort = () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          this.waited(waiter, this.now());
          reject(abortError(options.signal!));
        };
        this.watch(options.signal).add(waiter);
      }
      this.schedule(bucket);
    });
  }

  /** Box answered the key with a 429 despite the pace: pause for `retryAfterMs`, then go slower. */
  rateLimited(key: string, retryAfterMs: number | undefined): void {
    if (!this.enabled) return;
    const now = this.now();
    const bucket = this.bucket(key, now);
    this.refill(bucket, now);
    bucket.tokens = Math.min(bucket.tokens, 0);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, now + (retryAfterMs ?? 1000));
    bucket.perMs = Math.max(this.perMs / 10, bucket.perMs * 0.8);
    bucket.penalizedAt = now;
    this.schedule(bucket);
  }

  /** Calls the key has been let through, in all (0 for a key not remembered). */
  taken(key: string): number {
    return this.buckets.get(key)?.taken ?? 0;
  }

  /** Calls a key may make at once after being idle. */
  get burstSize(): number {
    return this.burst;
  }

  /** Calls per millisecond the budget allows a key when Box has not slowed it down (0: no pacing). */
  get pacePerMs(): number {
    return this.perMs;
  }

  /** The key's pace now, in calls per minute (lower than configured after a 429). */
  callsPerMinute(key: string): number {
    return (this.buckets.get(key)?.perMs ?? this.perMs) * 60_000;
  }

  /** Keys remembered (being walked, or used in the last 5 minutes). */
  get size(): number {
    return this.buckets.size;
  }

  private bucket(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = {
        tokens: this.burst,
        at: now,
        perMs: this.perMs,
        pausedUntil: 0,
        penalizedAt: 0,
        urgent: [],
        normal: [],
        timer: undefined,
        taken: 0,
        lastUsed: now,
      };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private refill(bucket: Bucket, now: number): void {
    if (bucket.perMs < this.perMs && now - bucket.penalizedAt >= this.recoverAfterMs) {
      bucket.perMs = Math.min(this.perMs, bucket.perMs * 1.1);
      bucket.penalizedAt = now;
    }
    const from = Math.max(bucket.at, bucket.pausedUntil);
    if (now > from) bucket.tokens = Math.min(this.burst, bucket.tokens + (now - from) * bucket.perMs);
    bucket.at = Math.max(bucket.at, now);
  }

  /** Lets waiters go while tokens last, then sets a timer for the next token. */
  private drain(bucket: Bucket): void {
    bucket.timer = undefined;
    const now = this.now();
    this.refill(bucket, now);
    if (now >= bucket.pausedUntil) {
      while (bucket.tokens >= 1) {
        const waiter = bucket.urgent.shift() ?? bucket.normal.shift();
        if (!waiter) break;
        bucket.tokens -= 1;
        bucket.taken++;
        this.waited(waiter, now);
        bucket.lastUsed = now;
        if (waiter.signal) this.watchers.get(waiter.signal)?.delete(waiter);
        waiter.resolve();
      }
    }
    this.schedule(bucket);
  }

  private watch(signal: AbortSignal): Set<Waiter> {
    let waiters = this.watchers.get(signal);
    if (!waiters) {
      const set = new Set<Waiter>();
      waiters = set;
      this.watchers.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          for (const waiter of [...set]) waiter.onAbort?.();
          set.clear();
        },
        { once: true },
      );
    }
    return waiters;
  }

  private waited(waiter: Waiter, now: number): void {
    boxBudgetWaitSeconds.inc({ lane: waiter.urgent ? 'urgent' : 'bulk' }, (now - waiter.since) / 1000);
  }

  private schedule(bucket: Bucket): void {
    if (bucket.timer || bucket.urgent.length + bucket.normal.length === 0) return;
    const now = this.now();
    const readyAt = Math.max(bucket.pausedUntil, now + Math.max(0, (1 - bucket.tokens) / bucket.perMs));
    bucket.timer = setTimeout(() => this.drain(bucket), Math.max(0, Math.ceil(readyAt - now)));
  }

  private sweepIdle(now: number): void {
    if (now - this.lastSweep < IDLE_KEY_MS) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      const idle = bucket.urgent.length + bucket.normal.length === 0 && now - bucket.lastUsed >= IDLE_KEY_MS;
      if (idle && bucket.perMs >= this.perMs) this.buckets.delete(key);
    }
  }
}

/** The reason an aborted signal gives, as an Error (a cancelled activity's signal gives one already). */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
