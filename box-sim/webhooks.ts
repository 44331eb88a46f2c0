/**
 * Webhooks v2: the registry (one webhook per target per app per user, never on folder 0) and signed
 * delivery with Box's retry behaviour (same payload id, a new box-delivery-id per attempt).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { boxErrors } from './errors';
import { idOf } from './ids';

/** Every trigger Box accepts on a v2 webhook. */
export const WEBHOOK_TRIGGERS = [
  'FILE.UPLOADED',
  'FILE.PREVIEWED',
  'FILE.DOWNLOADED',
  'FILE.TRASHED',
  'FILE.DELETED',
  'FILE.RESTORED',
  'FILE.COPIED',
  'FILE.MOVED',
  'FILE.LOCKED',
  'FILE.UNLOCKED',
  'FILE.RENAMED',
  'COMMENT.CREATED',
  'COMMENT.UPDATED',
  'COMMENT.DELETED',
  'TASK_ASSIGNMENT.CREATED',
  'TASK_ASSIGNMENT.UPDATED',
  'METADATA_INSTANCE.CREATED',
  'METADATA_INSTANCE.UPDATED',
  'METADATA_INSTANCE.DELETED',
  'FOLDER.CREATED',
  'FOLDER.RENAMED',
  'FOLDER.DOWNLOADED',
  'FOLDER.RESTORED',
  'FOLDER.DELETED',
  'FOLDER.COPIED',
  'FOLDER.MOVED',
  'FOLDER.TRASHED',
  'WEBHOOK.DELETED',
  'COLLABORATION.CREATED',
  'COLLABORATION.ACCEPTED',
  'COLLABORATION.REJECTED',
  'COLLABORATION.REMOVED',
  'COLLABORATION.UPDATED',
  'SHARED_LINK.DELETED',
  'SHARED_LINK.CREATED',
  'SHARED_LINK.UPDATED',
  'SIGN_REQUEST.COMPLETED',
  'SIGN_REQUEST.DECLINED',
  'SIGN_REQUEST.EXPIRED',
  'SIGN_REQUEST.SIGNER_EMAIL_BOUNCED',
] as const;
/** One webhook trigger. */
export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

/** A registered webhook. */
export interface SimWebhook {
  readonly id: string;
  readonly target: { readonly type: 'file' | 'folder'; readonly id: string };
  readonly address: string;
  readonly triggers: readonly WebhookTrigger[];
  readonly createdBy: number;
  readonly clientId: string;
  readonly createdAt: number;
}

/** Holds the webhooks of every app. */
export class WebhookRegistry {
  private readonly hooks = new Map<string, SimWebhook>();
  private next = 0;

  /** Registers a webhook after Box's checks (target existence is checked by the caller). */
  create(input: {
    target: { type: 'file' | 'folder'; id: string };
    address: string;
    triggers: string[];
    createdBy: number;
    clientId: string;
    createdAt: number;
  }): SimWebhook {
    if (input.target.type === 'folder' && input.target.id === '0')
      throw boxErrors.badRequest('Webhooks cannot be created on the root folder (folder 0)');
    if (input.triggers.length === 0)
      throw boxErrors.invalidParameter('triggers', 'At least one trigger is required');
    for (const t of input.triggers)
      if (!(WEBHOOK_TRIGGERS as readonly string[]).includes(t))
        throw boxErrors.invalidParameter('triggers', `Invalid trigger '${t}'`);
    let url: URL;
    try {
      url = new URL(input.address);
    } catch {
      throw boxErrors.invalidParameter('address', `Invalid address '${input.address}'`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw boxErrors.invalidParameter('address', 'The address must be an HTTPS URL');
    for (const hook of this.hooks.values()) {
      if (
        hook.target.type === input.target.type &&
        hook.target.id === input.target.id &&
        hook.clientId === input.clientId &&
        hook.createdBy === input.createdBy
      ) {
        throw boxErrors.webhookExists(hook.id);
      }
    }
    const hook: SimWebhook = {
      ...input,
      id: idOf('webhook', this.next++),
      triggers: input.triggers as WebhookTrigger[],
    };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  /** The webhook with that ID. */
  get(id: string): SimWebhook | undefined {
    return this.hooks.get(id);
  }

  /** Deletes a webhook; false if there was none. */
  delete(id: string): boolean {
    return this.hooks.delete(id);
  }

  /** Webhooks of one app created by one user, in creation order. */
  list(clientId: string, userIndex: number): SimWebhook[] {
    return [...this.hooks.values()].filter((h) => h.clientId === clientId && h.createdBy === userIndex);
  }

  /** Webhooks watching any of the targets for the trigger. */
  matching(
    targets: ReadonlyArray<{ type: 'file' | 'folder'; id: string }>,
    trigger: WebhookTrigger,
  ): SimWebhook[] {
    return [...this.hooks.values()].filter(
      (h) =>
        h.triggers.includes(trigger) && targets.some((t) => t.type === h.target.type && t.id === h.target.id),
    );
  }
}

/** One delivery attempt, as recorded for tests and the stats endpoint. */
export interface DeliveryAttempt {
  readonly deliveryId: string;
  readonly payloadId: string;
  readonly webhookId: string;
  readonly trigger: WebhookTrigger;
  readonly address: string;
  readonly attempt: number;
  readonly at: number;
  /** HTTP status, or 0 when the connection failed or timed out. */
  status: number;
  error?: string;
}

/** Signing keys and retry policy of deliveries. */
export interface DeliveryOptions {
  readonly primaryKey?: string;
  readonly secondaryKey?: string;
  /** Delay before each retry; the number of retries is the length of the list. */
  readonly retryDelaysMs: readonly number[];
  /** A delivery without a 2xx answer within this time counts as failed. */
  readonly timeoutMs: number;
  readonly now: () => number;
}

/** Box's retry schedule: exponential from 30 s, about two hours in all. */
export const BOX_RETRY_DELAYS_MS: readonly number[] = [
  30e3, 60e3, 120e3, 240e3, 480e3, 960e3, 1920e3, 3600e3,
];

/** Computes a Box webhook signature: base64 HMAC-SHA256 over the body bytes, then the timestamp bytes. */
export function signWebhook(body: string, timestamp: string, key: string): string {
  return createHmac('sha256', key).update(body).update(timestamp).digest('base64');
}

/** Sends signed deliveries and retries failed ones. */
export class WebhookDeliverer {
  private readonly attempts: DeliveryAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private readonly closing = new AbortController();

  constructor(private readonly options: DeliveryOptions) {}

  /** Every attempt so far. */
  log(): readonly DeliveryAttempt[] {
    return this.attempts;
  }

  /** Starts delivering a payload to a webhook's address. */
  deliver(
    hook: SimWebhook,
    trigger: WebhookTrigger,
    payload: Record<string, unknown> & { id: string },
  ): void {
    this.attempt(hook, trigger, payload, 1);
  }

  private attempt(
    hook: SimWebhook,
    trigger: WebhookTrigger,
    payload: Record<string, unknown> & { id: string },
    attempt: number,
  ): void {
    if (this.closed) return;
    const body = JSON.stringify(payload);
    const timestamp = new Date(Math.floor(this.options.now() / 1000) * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, '+00:00');
    const record: DeliveryAttempt = {
      deliveryId: randomUUID(),
      payloadId: payload.id,
      webhookId: hook.id,
      trigger,
      address: hook.address,
      attempt,
      at: this.options.now(),
      status: 0,
    };
    this.attempts.push(record);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=UTF-8',
      'box-delivery-id': record.deliveryId,
      'box-delivery-timestamp': timestamp,
      'box-signature-version': '1',
      'box-signature-algorithm': 'HmacSHA256',
    };
    if (this.options.primaryKey)
      headers['box-signature-primary'] = signWebhook(body, timestamp, this.options.primaryKey);
    if (this.options.secondaryKey)
      headers['box-signature-secondary'] = signWebhook(body, timestamp, this.options.secondaryKey);
    const send = (async () => {
      try {
        const response = await fetch(hook.address, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.closing.signal]),
        });
        record.status = response.status;
        await response.arrayBuffer().catch(() => undefined);
      } catch (err) {
        record.error = err instanceof Error ? err.message : String(err);
      }
      const ok = record.status >= 200 && record.status < 300;
      const delay = this.options.retryDelaysMs[attempt - 1];
      if (!ok && delay !== undefined && !this.closed) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.attempt(hook, trigger, payload, attempt + 1);
        }, delay);
        timer.unref();
        this.timers.add(timer);
      }
    })();
    this.inFlight.add(send);
    void send.finally(() => this.inFlight.delete(send));
  }

  /** Resolves when no delivery is in flight and no retry is scheduled (bounded by `maxWaitMs`). */
  async idle(maxWaitMs = 10_000): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    while ((this.inFlight.size > 0 || this.timers.size > 0) && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 10))]);
    }
  }

  /** Cancels scheduled retries and waits for requests in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
