import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { kindOfEventType } from '../domain/file-event';
import { workflowIds } from '../common/workflow-ids';
import type { Config } from '../config/config';
import { toIsoUtc, type NewEvent } from '../store/event-log-repository';
import type { Store } from '../store/database';
import { WebhooksRepository } from '../store/webhooks-repository';
import {
  WebhookOutboxRepository,
  type ClaimedDelivery,
  type OutboxDelivery,
} from '../store/webhook-outbox-repository';
import { fileEventsSignal } from '../workflows/connect-box-messages';
import { PRIORITY_KINDS, type FileEvent } from '../domain/file-event';
import { fileEventSignalEvents, fileEventSignals, webhookDeliveries } from '../telemetry/metrics';
import type { ApiApp } from './api-app';
import { ProblemError, problemResponses } from './problem';
import { SignalCoalescer } from './signal-coalescer';
import { SignalPump } from './signal-pump';
import { verifyBoxSignature } from './webhook-signature';

/** What the webhook receiver needs. */
export interface WebhookRouteDeps {
  config: Pick<Config, 'box' | 'api'>;
  store: Store;
  temporal: Client;
  /** How long a delivery waits for others of its connector before they are signalled together (25 ms). */
  coalesceMs?: number;
  /** Most events in one fileActivity signal (500). */
  maxBatch?: number;
  /** Our clock (tests). */
  now?: () => number;
}

/** Largest delivery body accepted (Box's payloads are a few KB): larger ones get 413. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;
/** Defaults of the per-connector coalescing of deliveries into fileActivity signals. */
export const WEBHOOK_COALESCING = { delayMs: 25, maxBatch: 500 } as const;

/** A file with no delivery for this long is signalled express (SignalPump's ExpressOptions). */
export const EXPRESS_QUIET_MS = 60_000;
/** The least time between two paced signals of a connector when an express delivery waits. */
export const EXPRESS_MIN_GAP_MS = 100;
/**
 * Express signals stop while a connector had this many signals in the last second: under a burst of
 * 20,000 deliveries a minute, about 9 signals per 1,000 deliveries at most.
 */
export const EXPRESS_MAX_SIGNALS_PER_SECOND = 3;

/** Delivery outcomes of the answers given before the route's handler: body too large, not JSON, rate limited. */
const EARLY_REFUSALS: Readonly<Record<number, string>> = {
  413: 'too_large',
  415: 'invalid',
  429: 'rate_limited',
};

/** A Box object id: digits only (files, folders, users, webhooks). */
const boxId = z.string().regex(/^[0-9]{1,20}$/, 'a Box id (digits)');

/** The fields of Box's webhook payload the receiver relies on; everything else is kept in raw_json. */
const payloadSchema = z
  .object({
    id: z.string().min(1).max(200),
    trigger: z.string().min(1).max(100),
    created_at: z.string().max(100).optional(),
    webhook: z.object({ id: z.string().min(1).max(100) }),
    created_by: z.object({ id: z.string().optional(), login: z.string().optional() }).loose().optional(),
    source: z
      .object({
        type: z.string().optional(),
        id: boxId.optional(),
        owned_by: z.object({ id: boxId.optional() }).loose().optional(),
        item: z
          .object({
            type: z.string().optional(),
            id: boxId.optional(),
            owned_by: z.object({ id: boxId.optional() }).loose().optional(),
          })
          .loose()
          .optional(),
      })
      .loose()
      .nullable()
      .optional(),
  })
  .meta({ id: 'BoxWebhookPayload' });
type Payload = z.infer<typeof payloadSchema>;

/**
 * What happened to a delivery: signalled, recorded only (views), a duplicate (recorded and signalled
 * before), pending (recorded, its signal owed by the process holding its lease or by the sweeper), or
 * not handed over (503). Paced signals (WEBHOOK_SIGNAL_INTERVAL_MS above 0) are awaited too.
 */
type Outcome = 'signalled' | 'recorded' | 'duplicate' | 'pending' | 'failed';

/** A verified delivery on its way: its event-log row and, if the scan cares, its file event. */
type Delivery = OutboxDelivery;

/**
 * TEST ONLY: `CONNECT_BOX_TEST_FAULT=<point>` kills this process with SIGKILL at that point, to prove what a
 * crash there loses. Honoured only when NODE_ENV is `test` (jest sets it), ignored everywhere else.
 * Points: `webhook-after-record` (deliveries recorded and pending, not yet signalled).
 */
function testFault(point: string): void {
  if (process.env.NODE_ENV === 'test' && process.env.CONNECT_BOX_TEST_FAULT === point)
    process.kill(process.pid, 'SIGKILL');
}

/**
 * POST /webhooks/box: Box's signed deliveries. In order: body limit (413), signature with the primary or
 * the secondary key and timestamp freshness (401), JSON (400), known webhook of an active connector (404).
 * Then deliveries are coalesced per connector: a batch is recorded in the event log in one transaction
 * under the payload ids (source `webhook`; a payload id already there is Box's retry: a duplicate), and its
 * new content, sharing, metadata and delete events go to `connector/<id>`: as ONE fileActivity signal per
 * batch, or (WEBHOOK_SIGNAL_INTERVAL_MS above 0, the default) through the connector's signal pump, which
 * sends at once when the connector was quiet and otherwise at most one signal per interval, each carrying
 * every batch waiting by then.
 * The batch's file events are recorded pending in the webhook outbox in the same transaction; each answer
 * (200) waits until the signal carrying its delivery was accepted by Temporal, which marks them signalled.
 * If it was not, they stay pending and the answer is 503; Box's retry of a pending delivery is signalled
 * again, and a sweeper (at start, then every WEBHOOK_OUTBOX_SWEEP_MS) signals what a crashed process or a
 * failed signal left pending. Views and events without a kind are recorded only.
 *
 * The route lives in its own plugin: its raw-body JSON parser must not change the rest of the API.
 */
export function registerWebhookRoute(app: ApiApp, deps: WebhookRouteDeps): PromiseLike<unknown> {
  const now = deps.now ?? Date.now;
  const webhooks = new WebhooksRepository(deps.store.db);
  const outbox = new WebhookOutboxRepository(deps.store.db);
  // This process's name on the leases it holds.
  const owner = `api-${process.pid}-${randomBytes(4).toString('hex')}`;
  const maxBatch = deps.maxBatch ?? WEBHOOK_COALESCING.maxBatch;

  const leaseMs = deps.config.api.webhookOutboxLeaseMs;
  const lease = () => {
    const t = now();
    return { owner, now: new Date(t).toISOString(), until: new Date(t + leaseMs).toISOString() };
  };

  /** Signals one connector's events; true once Temporal accepted the signal (then they are not pending). */
  const signalPending = async (
    connectorId: string,
    pending: ReadonlyArray<{ eventId: string; event: FileEvent }>,
  ) => {
    if (pending.length === 0) return true;
    const ids = pending.map((p) => p.eventId);
    try {
      await deps.temporal.workflow
        .getHandle(workflowIds.connector(connectorId))
        .signal(fileEventsSignal, { events: pending.map((p) => p.event) });
    } catch (err) {
      fileEventSignals.inc({ result: 'failed' });
      app.log.error({ err, connectorId, events: pending.length }, 'fileActivity signal failed');
      // Back to the sweeper at once; if the store is down too, the lease runs out by itself.
      await outbox.release(connectorId, ids, owner, new Date(now() - 1).toISOString()).catch(() => undefined);
      return false;
    }
    fileEventSignals.inc({ result: 'accepted' });
    fileEventSignalEvents.observe(pending.length);
    // Accepted: the events are in the workflow's history. A failure to mark them only means the sweeper
    // signals them once more later (a second rescan request, never a lost one).
    await outbox
      .markSignalled(connectorId, ids, owner)
      .catch((err: unknown) => app.log.warn({ err, connectorId }, 'signalled deliveries not marked'));
    return true;
  };

  const handleBatch = async (connectorId: string, deliveries: Delivery[]): Promise<Outcome[]> => {
    const recorded = await outbox.recordDeliveries(connectorId, deliveries, lease());
    testFault('webhook-after-record');
    const toSignal = deliveries.flatMap((d, i) =>
      (recorded[i] === 'fresh' || recorded[i] === 'reclaimed') && d.event
        ? [{ eventId: d.logged.eventId, event: d.event }]
        : [],
    );
    // Paced: the connector's pump carries these with whatever else waits in its next signal. Either way the
    // answer waits for the signal (a failed one leaves the rows pending for the sweeper and Box's retry).
    const signalled =
      paceMs > 0 ? await pump.add(connectorId, toSignal) : await signalPending(connectorId, toSignal);
    return recorded.map((r): Outcome => {
      if (r === 'fresh' || r === 'reclaimed') return signalled ? 'signalled' : 'failed';
      return r;
    });
  };

  const paceMs = deps.config.api.webhookSignalIntervalMs ?? 0;
  // A file with no delivery for a minute travels express: its first edit is not held behind a burst.
  const pump = new SignalPump(signalPending, paceMs, Math.max(maxBatch, 1000), now, {
    keyOf: (p: { event: FileEvent }) => p.event.fileId,
    quietMs: EXPRESS_QUIET_MS,
    minGapMs: Math.min(paceMs, EXPRESS_MIN_GAP_MS),
    maxSendsPerSecond: EXPRESS_MAX_SIGNALS_PER_SECOND,
  });

  /** Signals what a crashed process (or a failed signal) left pending: claimed by lease, any API process. */
  const sweep = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const claimed = await outbox.claimExpired(lease(), maxBatch);
      if (claimed.length === 0) return total;
      const byConnector = new Map<string, ClaimedDelivery[]>();
      for (const c of claimed) byConnector.set(c.connectorId, [...(byConnector.get(c.connectorId) ?? []), c]);
      for (const [connectorId, rows] of byConnector)
        if (await signalPending(connectorId, rows)) total += rows.length;
      if (claimed.length < maxBatch) return total;
    }
  };
  let sweeping: Promise<void> | undefined;
  const runSweep = () => {
    sweeping ??= sweep()
      .then((n) => {
        if (n > 0) app.log.info({ deliveries: n }, 'pending webhook deliveries signalled by the sweeper');
      })
      .catch((err: unknown) => app.log.warn({ err }, 'webhook outbox sweep failed'))
      .finally(() => (sweeping = undefined));
    return sweeping;
  };
  const sweeper = setInterval(() => void runSweep(), deps.config.api.webhookOutboxSweepMs);
  sweeper.unref();
  void runSweep();

  const coalescer = new SignalCoalescer<Delivery, Outcome>(handleBatch, {
    delayMs: deps.coalesceMs ?? WEBHOOK_COALESCING.delayMs,
    maxBatch,
  });
  // Deliveries of one payload being handled right now in this process: a retry arriving meanwhile shares
  // the first one's fate instead of being answered 200 before the first is known to have been signalled.
  const inFlight = new Map<string, Promise<Outcome>>();

  return app.register((scope, _options, done) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    // Refusals that happen before the handler runs (body parser, rate limit) are counted as they are answered.
    scope.addHook('onResponse', (_req, reply, done) => {
      const outcome = EARLY_REFUSALS[reply.statusCode];
      if (outcome) webhookDeliveries.inc({ outcome });
      done();
    });
    scope.addHook('onClose', async () => {
      clearInterval(sweeper);
      await coalescer.drain();
      await pump.drain();
      await sweeping;
    });

    scope.post(
      '/webhooks/box',
      {
        schema: {
          summary: "Box's signed webhook deliveries (Box webhooks v2, signature version 1)",
          description:
            'Verified with box-signature-primary or -secondary (HMAC-SHA256 over the body then box-delivery-timestamp), at most 10 minutes old, 256 KB at most. See docs/webhooks.md.',
          tags: ['webhooks'],
          headers: z
            .object({
              'box-delivery-timestamp': z.string().optional(),
              'box-signature-primary': z.string().optional(),
              'box-signature-secondary': z.string().optional(),
              'box-signature-version': z.string().optional(),
              'box-signature-algorithm': z.string().optional(),
            })
            .loose(),
          body: payloadSchema,
          response: {
            200: z.object({ status: z.enum(['signalled', 'recorded', 'duplicate', 'pending']) }),
            ...problemResponses(400, 401, 404, 413, 415, 429, 503),
          },
        },
        // The body is verified as raw bytes before it is parsed: the schema above documents it only.
        validatorCompiler: () => (data: unknown) => ({ value: data }),
        onRequest: scope.rateLimit({ max: deps.config.api.webhookRateLimitPerMinute, timeWindow: 60_000 }),
      },
      async (req, reply) => {
        const refuse = (code: ProblemCodeOf, detail: string, outcome = 'invalid'): never => {
          webhookDeliveries.inc({ outcome });
          throw new ProblemError(code, detail);
        };
        const body = req.body;
        if (!Buffer.isBuffer(body)) return refuse('invalid-request', 'Expected a JSON body.');
        const check = verifyBoxSignature({
          body,
          headers: req.headers,
          primaryKey: deps.config.box.webhookPrimaryKey,
          secondaryKey: deps.config.box.webhookSecondaryKey,
          now: now(),
        });
        if (!check.ok) {
          req.log.warn({ problem: check.problem }, 'webhook delivery refused');
          return refuse(
            'invalid-signature',
            signatureMessage(check.problem),
            signatureOutcome(check.problem),
          );
        }
        const raw = body.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          return refuse('invalid-request', 'The delivery body is not valid JSON.');
        }
        const parsed = payloadSchema.safeParse(json);
        if (!parsed.success) {
          webhookDeliveries.inc({ outcome: 'invalid' });
          const where = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
          throw new ProblemError(
            'invalid-request',
            `The delivery is not a Box webhook payload (id, trigger, webhook.id; ids of Box objects are digits): ${where}.`,
            {
              errors: parsed.error.issues.map((i) => ({
                in: 'body',
                field: i.path.join('.'),
                message: i.message,
              })),
            },
          );
        }
        const payload = parsed.data;
        // A Box webhook belongs to the enterprise: every active connector that records it gets the delivery.
        const connectorIds = await webhooks.activeConnectorsOf(payload.webhook.id);
        if (connectorIds.length === 0)
          return refuse(
            'unknown-webhook',
            `Webhook ${payload.webhook.id} belongs to no active connector.`,
            'unknown_webhook',
          );
        const logged = toEvent(payload, raw, String(req.headers['box-delivery-timestamp']), now);
        const event = toFileEvent(logged, payload);
        const handleFor = async (connectorId: string): Promise<Outcome> => {
          const key = `${connectorId}/${payload.id}`;
          let handling = inFlight.get(key);
          if (handling) {
            handling = handling.then((first) =>
              first === 'failed' || first === 'pending' ? first : 'duplicate',
            );
          } else {
            handling = coalescer.submit(connectorId, { logged, event });
            inFlight.set(key, handling);
            const clear = () => inFlight.delete(key);
            handling.then(clear, clear);
          }
          try {
            return await handling;
          } catch (err) {
            req.log.error({ err, connectorId }, 'webhook delivery not recorded');
            return 'failed';
          }
        };
        const outcome = combineOutcomes(await Promise.all(connectorIds.map(handleFor)));
        if (outcome === 'failed')
          return refuse(
            'unavailable',
            'The event could not be handed to the connector workflow; Box will deliver it again.',
            'unavailable',
          );
        webhookDeliveries.inc({ outcome });
        return reply.code(200).send({ status: outcome });
      },
    );
    done();
  });
}

/**
 * One answer for a delivery fanned out to several connectors: 503 when any of them could not take it (Box's
 * retry then reaches the others as duplicates), else the most telling of the outcomes.
 */
function combineOutcomes(outcomes: readonly Outcome[]): Outcome {
  for (const o of ['failed', 'signalled', 'pending', 'recorded'] as const) if (outcomes.includes(o)) return o;
  return 'duplicate';
}

/** The event-log row of a delivery: trigger, kind, file, actor, when, and the body exactly as received. */
function toEvent(payload: Payload, raw: string, timestamp: string, now: () => number): NewEvent {
  const source = payload.source ?? {};
  const createdBy = payload.created_by;
  return {
    eventId: payload.id,
    eventType: payload.trigger,
    kind: kindOfEventType(payload.trigger),
    fileId: fileIdOf(source),
    actorId: createdBy?.id,
    actorLogin: createdBy?.login?.toLowerCase(),
    occurredAt: firstDate(payload.created_at, timestamp) ?? new Date(now()).toISOString(),
    source: 'webhook',
    rawJson: raw,
  };
}

/** The file event of a recorded delivery, or undefined when the scan does not care (views, folders). */
function toFileEvent(logged: NewEvent, payload: Payload): FileEvent | undefined {
  const { kind, fileId } = logged;
  if (!kind || !fileId || !(PRIORITY_KINDS.includes(kind) || kind === 'delete')) return undefined;
  const ownerId = ownerIdOf(payload.source ?? {});
  return {
    fileId,
    ...(ownerId && { ownerId }),
    kind,
    eventType: logged.eventType,
    occurredAt: toIsoUtc(logged.occurredAt),
    source: 'webhook',
  };
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The file a payload is about: the source itself, or the item of a collaboration. */
function fileIdOf(source: Raw): string | undefined {
  if (source.type === 'file') return str(source.id);
  const item = obj(source.item);
  return item?.type === 'file' ? str(item.id) : undefined;
}

function ownerIdOf(source: Raw): string | undefined {
  const file = source.type === 'file' ? source : obj(source.item);
  return str(obj(file?.owned_by)?.id);
}

function firstDate(...candidates: Array<string | undefined>): string | undefined {
  return candidates.find((c) => c !== undefined && !Number.isNaN(Date.parse(c)));
}

type ProblemCodeOf = ConstructorParameters<typeof ProblemError>[0];

/** The delivery-outcome label of a refused signature check. */
function signatureOutcome(problem: string): string {
  if (problem === 'stale') return 'stale';
  if (problem === 'future' || problem === 'missing-timestamp' || problem === 'bad-timestamp')
    return 'bad_timestamp';
  return 'bad_signature';
}

function signatureMessage(problem: string): string {
  switch (problem) {
    case 'stale':
      return 'The delivery is older than 10 minutes; it is refused to prevent replays.';
    case 'future':
      return 'The delivery timestamp is in the future beyond the tolerated clock skew.';
    case 'missing-timestamp':
    case 'bad-timestamp':
      return 'The delivery has no valid box-delivery-timestamp header.';
    case 'unsupported-signature':
      return 'The delivery is signed with a signature version or algorithm connect-box does not support (box-signature-version 1, box-signature-algorithm HmacSHA256).';
    case 'missing-signature':
      return 'The delivery carries no box-signature-primary or box-signature-secondary header.';
    default:
      return 'The delivery signature does not match the configured webhook keys (primary or secondary).';
  }
}
