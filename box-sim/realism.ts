/** Realism knobs: per-user rate limit, fault injection and the call counters benchmarks read. */
import { Rng } from './random';

/** A token bucket per key (Box limits per user). */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private perMinute: number,
    private burst: number,
    private readonly now: () => number,
  ) {}

  /** Changes the limit (0 or less: unlimited). */
  configure(perMinute: number, burst?: number): void {
    this.perMinute = perMinute;
    this.burst = burst ?? perMinute;
    this.buckets.clear();
  }

  /** Takes one request for the key; returns 0 when allowed, or the seconds to wait (>= 1). */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }
}

/** Fault injection settings; rates are probabilities per request. */
export interface FaultSettings {
  /** Fraction of API requests answered with a 5xx error (`errorStatus`, default 500). */
  errorRate?: number;
  errorStatus?: 500 | 502 | 503;
  /** Fraction of API requests whose connection is dropped without an answer. */
  dropRate?: number;
  /** Fraction of content requests answered 202 with retry-after (file not ready yet). */
  notReadyRate?: number;
  /** Throttles content downloads to this many bytes per second (0: unthrottled). */
  slowDownloadBytesPerSecond?: number;
  /** The next N API requests fail with `errorStatus`, whatever the rates. */
  failNext?: number;
}

/** Decides, per request, which fault (if any) to inject. Deterministic for a seed. */
export class FaultInjector {
  private settings: FaultSettings;
  private readonly rng: Rng;

  constructor(settings: FaultSettings, seed: number) {
    this.settings = { ...settings };
    this.rng = new Rng(seed ^ 0x5eed);
  }

  /** Replaces the settings. */
  configure(settings: FaultSettings): void {
    this.settings = { ...settings };
  }

  /** The current settings. */
  current(): FaultSettings {
    return { ...this.settings };
  }

  /** The fault for an API request: an error status, a dropped connection, or none. */
  forRequest(): { kind: 'error'; status: number } | { kind: 'drop' } | undefined {
    const status = this.settings.errorStatus ?? 500;
    if ((this.settings.failNext ?? 0) > 0) {
      this.settings.failNext = this.settings.failNext! - 1;
      return { kind: 'error', status };
    }
    if (this.settings.dropRate && this.rng.float() < this.settings.dropRate) return { kind: 'drop' };
    if (this.settings.errorRate && this.rng.float() < this.settings.errorRate)
      return { kind: 'error', status };
    return undefined;
  }

  /** True when a content request should answer 202 (not ready). */
  notReady(): boolean {
    return !!this.settings.notReadyRate && this.rng.float() < this.settings.notReadyRate;
  }

  /** Download throttle in bytes per second (0: none). */
  downloadRate(): number {
    return this.settings.slowDownloadBytesPerSecond ?? 0;
  }
}

/** Counters of API calls. */
export interface SimStats {
  /** Total requests to the Box API surface (OAuth, /2.0, downloads). */
  total: number;
  /** By route, e.g. `GET /2.0/folders/:id/items`. */
  byEndpoint: Record<string, number>;
  /** By acting user ID (`anonymous` before authentication). */
  byUser: Record<string, number>;
  /** By route, then by acting user ID. */
  byEndpointAndUser: Record<string, Record<string, number>>;
  /** By HTTP status answered. */
  byStatus: Record<string, number>;
  /**
   * By acting user ID: when its first and its last request was answered (ms since the epoch), and for how
   * long it was active: the sum of the gaps between its answers of at most 2 s (a longer gap is a pause).
   */
  byUserSpan: Record<string, { first: number; last: number; activeMs: number }>;
  rateLimited: number;
  /** When each 429 was answered (ms since the epoch; the first 100,000 since the last reset). */
  rateLimitedAt: number[];
  faultsInjected: number;
  /** The most /2.0 API requests in progress at once (added latency included) since the last reset. */
  mostAtOnce: number;
  webhookDeliveries: number;
  webhookDeliveriesFailed: number;
}

/** Collects the counters. */
export class StatsCollector {
  private stats: SimStats = StatsCollector.empty();
  private inProgress = 0;

  private static empty(): SimStats {
    return {
      total: 0,
      byEndpoint: {},
      byUser: {},
      byEndpointAndUser: {},
      byStatus: {},
      byUserSpan: {},
      rateLimited: 0,
      rateLimitedAt: [],
      faultsInjected: 0,
      mostAtOnce: 0,
      webhookDeliveries: 0,
      webhookDeliveriesFailed: 0,
    };
  }

  /** Counts one answered request. */
  count(endpoint: string, user: string, status: number): void {
    const s = this.stats;
    s.total++;
    s.byEndpoint[endpoint] = (s.byEndpoint[endpoint] ?? 0) + 1;
    s.byUser[user] = (s.byUser[user] ?? 0) + 1;
    const perUser = (s.byEndpointAndUser[endpoint] ??= {});
    perUser[user] = (perUser[user] ?? 0) + 1;
    s.byStatus[String(status)] = (s.byStatus[String(status)] ?? 0) + 1;
    const now = Date.now();
    const span = (s.byUserSpan[user] ??= { first: now, last: now, activeMs: 0 });
    if (now - span.last <= 2000) span.activeMs += now - span.last;
    span.last = now;
    if (status === 429) {
      s.rateLimited++;
      if (s.rateLimitedAt.length < 100_000) s.rateLimitedAt.push(now);
    }
  }

  /** A /2.0 API request began (`ended` once its response is finished): tracks the most in progress at once. */
  began(): void {
    this.inProgress++;
    this.stats.mostAtOnce = Math.max(this.stats.mostAtOnce, this.inProgress);
  }

  /** A /2.0 API request's response finished, or its connection closed (answered, refused or dropped). */
  ended(): void {
    this.inProgress--;
  }

  /** Counts an injected fault. */
  fault(): void {
    this.stats.faultsInjected++;
  }

  /** A copy of the counters, with webhook counts filled in by the caller. */
  snapshot(webhooks: { total: number; failed: number }): SimStats {
    return {
      ...structuredClone(this.stats),
      webhookDeliveries: webhooks.total,
      webhookDeliveriesFailed: webhooks.failed,
    };
  }

  /** Zeroes the counters (the requests in progress now count towards the next `mostAtOnce`). */
  reset(): void {
    this.stats = { ...StatsCollector.empty(), mostAtOnce: this.inProgress };
  }
}
