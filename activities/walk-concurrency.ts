/** Tuning of WalkConcurrency (tests shrink the interval). */
export interface WalkConcurrencyOptions {
  /** Users at once never below this (what the workflow asked for). */
  floor: number;
  /** Users at once never above this (the users of the step). */
  ceiling: number;
  /** Where to start (what an earlier step of the connector had reached); clamped to [floor, ceiling]. */
  start?: number;
  /** Calls per millisecond a user may make (its rate budget's pace); 0: nothing to adapt to. */
  pacePerMs: number;
  /**
   * Calls a user may make at once before the pace holds (its rate budget's burst): allowed on top of the
   * pace in the first tick of its walk, so a user spending its burst does not look held back (default 0).
   */
  burst?: number;
  /** Calls the user has made so far, in all (the rate budget's count). */
  callsOf: (userId: string) => number;
  now?: () => number;
}

/** Users using at least this share of their budget are held back by it: walk more users at once. */
export const BUDGET_BOUND = 0.97;
/** Users using less than this share are held back by something else (CPU, Box's latency): walk fewer. */
export const NOT_BUDGET_BOUND = 0.92;

/**
 * How many users a walk step walks at once, adapted to Box's per-user rate budget. Box paces each user
 * (box/user-rate-budget.ts), so a connector walking few users at once waits on their budgets while its
 * CPU idles, and one walking too many leaves each user's budget half used while the pass takes as long.
 * Each `tick` compares the calls each running user made since the last tick with what its budget
 * allowed: when the users use at least 97 % of it, their budget is what holds the walk back, and a
 * quarter more users go at once; under 92 %, something else holds it back and one user fewer goes, so
 * that the users walked keep using at least about nine tenths of their budget.
 */
export class WalkConcurrency {
  private current: number;
  private readonly now: () => number;
  private readonly running = new Map<string, { since: number; calls: number; fresh: boolean }>();
  /** The users' mean share of their budget at the last tick (undefined before one). */
  lastUsage: number | undefined;
  /** The most users walked at once so far. */
  mostAtOnce = 0;

  constructor(private readonly options: WalkConcurrencyOptions) {
    this.now = options.now ?? Date.now;
    this.current = this.clamp(options.start ?? options.floor);
  }

  /** Users to walk at once now. */
  get limit(): number {
    return this.current;
  }

  /** A user's walk starts. */
  started(userId: string): void {
    this.running.set(userId, { since: this.now(), calls: this.options.callsOf(userId), fresh: true });
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running.size);
  }

  /** A user's walk ends (done, out of time, or failed). */
  ended(userId: string): void {
    this.running.delete(userId);
  }

  /** Adapts the limit to how much of their budget the running users used since the last tick. */
  tick(): number {
    const now = this.now();
    let used = 0;
    let allowed = 0;
    for (const [userId, at] of this.running) {
      const calls = this.options.callsOf(userId);
      used += calls - at.calls;
      allowed += (now - at.since) * this.options.pacePerMs + (at.fresh ? (this.options.burst ?? 0) : 0);
      this.running.set(userId, { since: now, calls, fresh: false });
    }
    if (allowed <= 0) return this.current;
    const usage = used / allowed;
    this.lastUsage = usage;
    if (usage >= BUDGET_BOUND)
      this.current = this.clamp(this.current + Math.max(1, Math.round(this.current / 4)));
    else if (usage < NOT_BUDGET_BOUND) this.current = this.clamp(this.current - 1);
    return this.current;
  }

  private clamp(n: number): number {
    const ceiling = Math.max(1, this.options.ceiling);
    return Math.min(ceiling, Math.max(this.options.floor, n));
  }
}
