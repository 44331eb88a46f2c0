/** How a SignalCoalescer batches. */
export interface CoalescerOptions {
  /** How long the first item of a batch waits for company before the batch is sent. */
  delayMs: number;
  /** A batch this large is sent at once. */
  maxBatch: number;
}

/**
 * Handles one batch for one key (e.g. records deliveries and signals a connector's workflow once): returns
 * one result per item, in order, or throws when the whole batch failed.
 */
export type BatchSender<T, R> = (key: string, items: T[]) => Promise<R[]>;

interface Pending<T, R> {
  items: T[];
  waiters: Array<{ resolve: (result: R) => void; reject: (err: unknown) => void }>;
  timer: NodeJS.Timeout;
}

/**
 * Coalesces items submitted close together under the same key into one batch: a batch is sent `delayMs`
 * after its first item, or as soon as it holds `maxBatch` items. Each `submit` resolves with its item's
 * result once the batch carrying it was handled, and rejects with the sender's error when the batch
 * failed, so a caller answers only for what was really delivered.
 */
export class SignalCoalescer<T, R = void> {
  private readonly pending = new Map<string, Pending<T, R>>();
  private readonly inFlight = new Set<Promise<void>>();
  private batches = 0;

  constructor(
    private readonly send: BatchSender<T, R>,
    private readonly options: CoalescerOptions,
  ) {}

  /** Adds an item under a key; resolves with its result once the batch holding it was handled. */
  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let batch = this.pending.get(key);
      if (!batch) {
        const timer = setTimeout(() => this.flush(key), this.options.delayMs);
        batch = { items: [], waiters: [], timer };
        this.pending.set(key, batch);
      }
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
      if (batch.items.length >= this.options.maxBatch) this.flush(key);
    });
  }

  /** Batches handed to the sender so far (successful or not). */
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
        const results = await this.send(key, batch.items);
        if (results.length !== batch.items.length)
          throw new Error(
            `The batch sender returned ${results.length} results for ${batch.items.length} items`,
          );
        batch.waiters.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        for (const w of batch.waiters) w.reject(err);
      }
    })();
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}
