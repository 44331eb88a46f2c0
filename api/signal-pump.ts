/** Sends one batch for a key; resolves true when it was accepted (false: the items stay for a retry elsewhere). */
export type PumpSender<T> = (key: string, items: T[]) => Promise<boolean>;

/** Items added together: settled once every one of them travelled in a send. */
interface Group {
  remaining: number;
  ok: boolean;
  settle: (ok: boolean) => void;
}

interface Lane<T> {
  queue: Array<{ item: T; group: Group; express: boolean }>;
  sending: boolean;
  lastSentAt: number;
  timer?: NodeJS.Timeout;
  /** When `timer` fires (our clock). */
  timerAt?: number;
  /** When the last sends started, oldest first, the last second only. */
  recentSends: number[];
  /** Items' express keys seen in the last `quietMs`, with when, oldest first. */
  seen: Map<string, number>;
}

/**
 * Items of a key nobody asked about for a while travel sooner: a delivery for a file that had no
 * other delivery in `quietMs` is sent `minGapMs` after the previous send instead of a whole interval
 * after it. A burst over a few files keeps the lane paced (their files are never quiet), while the
 * first edit of another file is not held behind it. Express sends stop while the key had
 * `maxSendsPerSecond` sends in the last second.
 */
export interface ExpressOptions<T> {
  /** What makes two items "the same" (a file id). */
  readonly keyOf: (item: T) => string;
  /** How long an item's key must have been unseen for the item to travel express. */
  readonly quietMs: number;
  /** The least time between two sends of a key when an express item waits. */
  readonly minGapMs: number;
  /**
   * Express sends of a key happen only while fewer than this many sends (of any kind) went in the last
   * second: many new files at once (a bulk upload) are paced like a burst, not sent every `minGapMs`.
   */
  readonly maxSendsPerSecond: number;
}

/**
 * Paces batches per key: at most one send in flight per key (up to `maxBatch` items), and a new one no
 * sooner than `intervalMs` after the previous one started, except that `maxBatch` waiting items go at once.
 * A quiet key (nothing sent for `intervalMs`) sends at once, so an isolated item is not delayed; under a
 * burst a key gets at most one send per interval (plus one per `maxBatch` items), whatever the rate, and an
 * item waits at most about one interval plus one send. With `express`, an item whose express key was not
 * seen for a while waits at most `minGapMs` after the previous send instead (see ExpressOptions).
 */
export class SignalPump<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly send: PumpSender<T>,
    private readonly intervalMs: number,
    private readonly maxBatch: number,
    private readonly now: () => number = Date.now,
    private readonly express?: ExpressOptions<T>,
  ) {}

  /**
   * Queues items under a key; they go at the next paced send. Resolves once every one of them was sent:
   * true when each send carrying them was accepted, false when one was not (or threw).
   */
  add(key: string, items: readonly T[]): Promise<boolean> {
    if (items.length === 0) return Promise.resolve(true);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { queue: [], sending: false, lastSentAt: -Infinity, recentSends: [], seen: new Map() };
      this.lanes.set(key, lane);
    }
    const express = this.expressFlags(lane, items);
    const done = new Promise<boolean>((settle) => {
      const group: Group = { remaining: items.length, ok: true, settle };
      items.forEach((item, i) => lane.queue.push({ item, group, express: express[i]! }));
    });
    this.schedule(key, lane);
    return done;
  }

  /** Sends whatever waits now (pacing aside) and waits for every send in flight. */
  async drain(): Promise<void> {
    for (;;) {
      for (const [key, lane] of this.lanes) {
        clearTimeout(lane.timer);
        lane.timer = undefined;
        if (!lane.sending && lane.queue.length > 0) this.sendNow(key, lane);
      }
      if (this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Which of `items` travel express; notes their keys as seen now. */
  private expressFlags(lane: Lane<T>, items: readonly T[]): boolean[] {
    const express = this.express;
    if (!express) return items.map(() => false);
    const now = this.now();
    for (const [k, at] of lane.seen) {
      if (at > now - express.quietMs) break;
      lane.seen.delete(k);
    }
    return items.map((item) => {
      const k = express.keyOf(item);
      const quiet = !lane.seen.has(k);
      lane.seen.delete(k); // re-inserted last: the map stays in time order
      lane.seen.set(k, now);
      return quiet;
    });
  }

  private schedule(key: string, lane: Lane<T>): void {
    if (lane.sending || lane.queue.length === 0) return;
    const now = this.now();
    while (lane.recentSends.length > 0 && lane.recentSends[0]! <= now - 1000) lane.recentSends.shift();
    const express =
      this.express !== undefined &&
      lane.queue.some((q) => q.express) &&
      lane.recentSends.length < this.express.maxSendsPerSecond;
    const paced = lane.lastSentAt + this.intervalMs - now;
    const wait =
      lane.queue.length >= this.maxBatch
        ? 0
        : express
          ? Math.min(paced, lane.lastSentAt + this.express.minGapMs - now)
          : paced;
    if (wait <= 0) {
      // A full batch does not wait for the timer set when fewer items waited.
      clearTimeout(lane.timer);
      lane.timer = undefined;
      return this.sendNow(key, lane);
    }
    if (lane.timer) {
      // An express item may have arrived since the timer was set for a whole interval.
      if (lane.timerAt !== undefined && lane.timerAt <= now + wait) return;
      clearTimeout(lane.timer);
    }
    lane.timerAt = now + wait;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.schedule(key, lane);
    }, wait);
  }

  private sendNow(key: string, lane: Lane<T>): void {
    const batch = lane.queue.splice(0, this.maxBatch);
    lane.sending = true;
    lane.lastSentAt = this.now();
    lane.recentSends.push(lane.lastSentAt);
    const sending = this.send(
      key,
      batch.map((b) => b.item),
    )
      .catch(() => false)
      .then((ok) => {
        // A failed send's items are back in the store for the sweeper (their lease was released).
        // The lane stays (one per connector), so the pacing holds across quiet gaps.
        lane.sending = false;
        for (const { group } of batch) {
          group.ok &&= ok;
          if (--group.remaining === 0) group.settle(group.ok);
        }
        this.schedule(key, lane);
      });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}
