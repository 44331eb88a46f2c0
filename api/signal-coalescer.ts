/** How a SignalCoalescer batches. */
export interface CoalescerOptions {
  /** How long the first item of a batch waits for company before the batch is sent. */
  delayMs: number;
  /** A batch this large is sent at once. */
  maxBatch: number;
}

/** Sends one batch for one key (e.g. signals a connector's workflow); rejects when it was not delivered. */
export type BatchSender<T> = (key: string, items: T[]) => Promise<void>;

interface Pending<T> {
  items: T[];
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
  timer: NodeJS.Timeout;
}

/**
 * Coalesces items submitted close together under the same key into one batch: a batch is sent `delayMs`
 * after its first item, or as soon as it holds `maxBatch` items. Each `submit` resolves when the batch
 * carrying its item was sent, and rejects with the sender's error when it was not, so a caller answers
 * only for what was really delivered.
 */
export class SignalCoalescer<T> {
  private readonly pending = new Map<string, Pending<T>>();
  private readonly inFlight = new Set<Promise<void>>();
  private batches = 0;

  constructor(
    private readonly send: BatchSender<T>,
    private readonly options: CoalescerOptions,
  ) {}

  /** Adds items under a key; resolves once the batch holding them was sent. */
  submit(key: string, ...items: T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let batch = this.pending.get(key);
      if (!batch) {
        const timer = setTimeout(() => this.flush(key), this.options.delayMs);
        batch = { items: [], waiters: [], timer };
        this.pending.set(key, batch);
      }
      batch.items.push(...items);
      batch.waiters.push({ resolve, reject });
      if (batch.items.length >= this.options.maxBatch) this.flush(key);
    });
  }

  /** Batches sent so far (successful or not). */
  get batchesSent(): number {
    return this.batches;
  }

  /** Sends every pending batch now and waits for all sends in flight. */
  async drain(): Promise<void> {
    for (const key of [...this.pending.keys()]) this.flush(key);
    await Promise.allSettled([...this.inFlight]);
  }

  private flush(key: string): void {
    const batch = this.pending.get(key);
    if (!batch) return;
    this.pending.delete(key);
    clearTimeout(batch.timer);
    this.batches++;
    const sending = (async () => {
      try {
        await this.send(key, batch.items);
        for (const w of batch.waiters) w.resolve();
      } catch (err) {
        for (const w of batch.waiters) w.reject(err);
      }
    })();
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}
