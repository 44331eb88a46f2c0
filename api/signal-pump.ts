/** Sends one batch for a key; resolves true when it was accepted (false: the items stay for a retry elsewhere). */
export type PumpSender<T> = (key: string, items: T[]) => Promise<boolean>;

interface Lane<T> {
  queue: T[];
  sending: boolean;
  lastSentAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * Paces batches per key: at most one send in flight per key, and a new one no sooner than `intervalMs`
 * after the previous one started (at once when the key was quiet, or when `maxBatch` items wait). Under a
 * burst, the number of sends per key is about one per interval, whatever the number of items.
 */
export class SignalPump<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly send: PumpSender<T>,
    private readonly intervalMs: number,
    private readonly maxBatch: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Queues items under a key; they are sent at the next paced send. */
  add(key: string, items: readonly T[]): void {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { queue: [], sending: false, lastSentAt: -Infinity };
      this.lanes.set(key, lane);
    }
    lane.queue.push(...items);
    this.schedule(key, lane);
  }

  /** Sends whatever waits now (pacing aside) and waits for every send in flight. */
  async drain(): Promise<void> {
    for (const [key, lane] of this.lanes) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
      if (!lane.sending && lane.queue.length > 0) this.sendNow(key, lane);
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(key: string, lane: Lane<T>): void {
    if (lane.sending || lane.timer || lane.queue.length === 0) return;
    const wait = lane.queue.length >= this.maxBatch ? 0 : lane.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) return this.sendNow(key, lane);
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.schedule(key, lane);
    }, wait);
  }

  private sendNow(key: string, lane: Lane<T>): void {
    const batch = lane.queue.splice(0, this.maxBatch);
    lane.sending = true;
    lane.lastSentAt = this.now();
    const sending = this.send(key, batch)
      .catch(() => false)
      .then(() => {
        // A failed send's items are back in the store for the sweeper (their lease was released).
        // The lane stays (one per connector), so the pacing holds across quiet gaps.
        lane.sending = false;
        this.schedule(key, lane);
      });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}
