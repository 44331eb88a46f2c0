import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { problemErrorHandler } from '../../../api/error-handler';
import type { Client } from '@temporalio/client';
import { registerWebhookRoute } from '../../../api/webhooks-route';
import { boxSignature } from '../../../api/webhook-signature';
import { EventLogRepository } from '../../../store/event-log-repository';
import { ConnectorsRepository } from '../../../store/connectors-repository';
import { openStore, type Store } from '../../../store/database';
import { WebhooksRepository } from '../../../store/webhooks-repository';
import type { FileEvent } from '../../../domain/file-event';
import { fileEventSignals, webhookDeliveries } from '../../../telemetry/metrics';

/** The current value of a counter's series with exactly these labels (0 when absent). */
async function counted(
  counter: typeof webhookDeliveries | typeof fileEventSignals,
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await counter.get();
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0;
}

const KEYS = { webhookPrimaryKey: 'primary', webhookSecondaryKey: 'secondary' };

/** A Temporal client that records fileActivity signals; `failNext` makes the next signals throw. */
function fakeTemporal() {
  const signals: Array<{ workflowId: string; events: FileEvent[] }> = [];
  const state = { failNext: 0 };
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        signal: (_def: unknown, arg: { events: FileEvent[] }) => {
          if (state.failNext > 0) {
            state.failNext--;
            return Promise.reject(new Error('Temporal unavailable'));
          }
          signals.push({ workflowId, events: arg.events });
          return Promise.resolve();
        },
      }),
    },
  } as unknown as Client;
  return { client, signals, state };
}

let n = 0;
function payload(extra: Record<string, unknown> = {}) {
  n++;
  return {
    type: 'webhook_event',
    id: `payload-${n}`,
    created_at: '2026-05-01T12:00:00+00:00',
    trigger: 'FILE.UPLOADED',
    webhook: { id: 'w1', type: 'webhook' },
    created_by: { type: 'user', id: '11', login: 'Ann@Acme.test' },
    source: { type: 'file', id: `${9000 + n}`, owned_by: { type: 'user', id: '11' } },
    additional_info: [],
    ...extra,
  };
}

function signed(body: string, options: { key?: string; at?: number } = {}) {
  const timestamp = new Date(options.at ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  return {
    'content-type': 'application/json; charset=UTF-8',
    'box-delivery-id': `d-${Math.random()}`,
    'box-delivery-timestamp': timestamp,
    'box-signature-version': '1',
    'box-signature-algorithm': 'HmacSHA256',
    'box-signature-primary': boxSignature(body, timestamp, options.key ?? KEYS.webhookPrimaryKey),
  };
}

// Unpaced (one signal per 25 ms batch) and paced (the default: one signal per interval while busy).
describe.each([0, 400])('POST /webhooks/box (WEBHOOK_SIGNAL_INTERVAL_MS=%i)', (intervalMs) => {
  let store: Store;
  let app: FastifyInstance;
  let temporal: ReturnType<typeof fakeTemporal>;
  let log: EventLogRepository;

  const deliver = (body: string, headers: Record<string, string> = signed(body)) =>
    app.inject({ method: 'POST', url: '/webhooks/box', payload: body, headers });

  beforeAll(async () => {
    store = await openStore('sqlite::memory:');
    const connectors = new ConnectorsRepository(store.db);
    await connectors.create({
      id: 'c1',
      instanceName: 'Acme',
      dataCenter: 'US1',
      status: 'Connected',
      statusMessage: '',
    });
    await connectors.create({
      id: 'c2',
      instanceName: 'Gone',
      dataCenter: 'US1',
      status: 'Connected',
      statusMessage: '',
    });
    await connectors.updateStatus('c2', { status: 'Disconnected', statusMessage: 'bye' });
    const hooks = new WebhooksRepository(store.db);
    await hooks.record('c1', { webhookId: 'w1', targetType: 'folder', targetId: '100', userId: '11' });
    await hooks.record('c2', { webhookId: 'w2', targetType: 'folder', targetId: '200', userId: '11' });
    log = new EventLogRepository(store.db);
    temporal = fakeTemporal();
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(problemErrorHandler);
    await app.register(rateLimit, { global: false });
    await registerWebhookRoute(app, {
      config: {
        box: KEYS,
        api: {
          webhookRateLimitPerMinute: 100_000,
          webhookOutboxSweepMs: 60_000,
          webhookOutboxLeaseMs: 5_000,
          webhookSignalIntervalMs: intervalMs,
        },
      } as never,
      store,
      temporal: temporal.client,
      coalesceMs: 20,
    });
    // The rest of the API keeps ordinary JSON parsing.
    app.post('/echo', (req, reply) => reply.send({ got: req.body }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });
  beforeEach(() => {
    temporal.signals.length = 0;
    temporal.state.failNext = 0;
  });

  it('a signed upload is recorded and signalled to connector/<id> before the answer', async () => {
    const p = payload();
    const res = await deliver(JSON.stringify(p));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'signalled' });
    expect(temporal.signals).toEqual([
      {
        workflowId: 'connector/c1',
        events: [
          {
            fileId: p.source.id,
            ownerId: '11',
            kind: 'content',
            eventType: 'FILE.UPLOADED',
            occurredAt: '2026-05-01T12:00:00.000Z',
            source: 'webhook',
          },
        ],
      },
    ]);
    const row = (await log.query('c1', { fileId: p.source.id })).items[0];
    expect(row).toMatchObject({
      event_id: p.id,
      event_type: 'FILE.UPLOADED',
      kind: 'content',
      actor_id: '11',
      actor_login: 'ann@acme.test',
      source: 'webhook',
      raw_json: JSON.stringify(p),
    });
  });

  it('the rest of the API still parses JSON normally', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
    expect(res.json()).toEqual({ got: { a: 1 } });
  });

  it('deliveries arriving together are coalesced into one signal', async () => {
    const bodies = Array.from({ length: 30 }, () =>
      JSON.stringify(payload({ trigger: 'SHARED_LINK.CREATED' })),
    );
    const answers = await Promise.all(bodies.map((b) => deliver(b)));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    // Usually one signal; a slow machine may split the burst, never into one signal per delivery.
    expect(temporal.signals.length).toBeLessThanOrEqual(3);
    const events = temporal.signals.flatMap((s) => s.events);
    expect(events).toHaveLength(30);
    expect(events.every((e) => e.kind === 'sharing')).toBe(true);
  });

  it('deliveries trickling in over a second: each answered once its signal was sent; paced, few signals', async () => {
    // Quiet for longer than an interval, so the first delivery must not wait for one.
    await new Promise((r) => setTimeout(r, intervalMs + 50));
    const started = Date.now();
    const answers: Array<Promise<{ status: number; body: unknown; at: number }>> = [];
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify(payload());
      answers.push(
        deliver(body).then((res) => ({ status: res.statusCode, body: res.json(), at: Date.now() - started })),
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    const got = await Promise.all(answers);
    expect(got.map((g) => g.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(got.every((g) => (g.body as { status: string }).status === 'signalled')).toBe(true);
    expect(temporal.signals.flatMap((s) => s.events)).toHaveLength(20);
    if (intervalMs > 0) {
      // About 1 s of deliveries, each of a file new to the receiver: the first at once, two more ahead
      // of the pace (express, at most three signals a second), then one per 400 ms.
      expect(temporal.signals.length).toBeLessThanOrEqual(5);
      // The first (the connector was quiet) is not held for the interval.
      expect(got[0]!.at).toBeLessThan(intervalMs / 2);
    } else {
      // One signal per 25 ms batch: deliveries 50 ms apart each get their own.
      expect(temporal.signals.length).toBeGreaterThanOrEqual(10);
    }
  });

  it("a retry of the same payload id (Box's new delivery id) is answered 200 and not signalled again", async () => {
    const body = JSON.stringify(payload());
    expect((await deliver(body)).json()).toEqual({ status: 'signalled' });
    const again = await deliver(body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'duplicate' });
    // Two copies at once: one signal.
    const twin = JSON.stringify(payload());
    const both = await Promise.all([deliver(twin), deliver(twin)]);
    expect(both.map((r) => r.json().status as string).sort()).toEqual(['duplicate', 'signalled']);
    expect(temporal.signals.flatMap((s) => s.events)).toHaveLength(2);
  });

  it('views and collaborations: views are recorded only; a collaboration names its file', async () => {
    const view = payload({ trigger: 'FILE.PREVIEWED' });
    expect((await deliver(JSON.stringify(view))).json()).toEqual({ status: 'recorded' });
    const collab = payload({
      trigger: 'COLLABORATION.CREATED',
      source: { type: 'collaboration', id: '77', item: { type: 'file', id: '8800' } },
    });
    expect((await deliver(JSON.stringify(collab))).json()).toEqual({ status: 'signalled' });
    expect(temporal.signals.flatMap((s) => s.events)).toEqual([
      expect.objectContaining({ fileId: '8800', kind: 'sharing', eventType: 'COLLABORATION.CREATED' }),
    ]);
    expect((await log.query('c1', { fileId: view.source.id })).items[0]).toMatchObject({ kind: 'view' });
  });

  it('trash is a delete', async () => {
    await deliver(JSON.stringify(payload({ trigger: 'FILE.TRASHED' })));
    expect(temporal.signals[0]!.events[0]).toMatchObject({ kind: 'delete' });
  });

  it('a forged, stale or future-dated delivery gets 401 and nothing is recorded or signalled', async () => {
    const before = await log.count('c1');
    for (const headers of [
      (b: string) => signed(b, { key: 'wrong' }),
      (b: string) => signed(b, { at: Date.now() - 11 * 60_000 }),
      (b: string) => signed(b, { at: Date.now() + 5 * 60_000 }),
    ]) {
      const body = JSON.stringify(payload());
      const res = await deliver(body, headers(body));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ type: '/problems/invalid-signature', status: 401 });
    }
    const body = JSON.stringify(payload());
    const { 'box-signature-primary': _p, ...unsigned } = signed(body);
    expect((await deliver(body, unsigned)).statusCode).toBe(401);
    // The secondary key alone (key rotation) is fine.
    const rotated = JSON.stringify(payload());
    const h = signed(rotated, { key: 'old' });
    const ts = h['box-delivery-timestamp'];
    const withSecondary = {
      ...h,
      'box-signature-secondary': boxSignature(rotated, ts, KEYS.webhookSecondaryKey),
    };
    expect((await deliver(rotated, withSecondary)).statusCode).toBe(200);
    expect(await log.count('c1')).toBe(before + 1);
    expect(temporal.signals).toHaveLength(1);
  });

  it('malformed JSON is 400, a payload without the webhook fields is 400, an oversized body 413', async () => {
    expect((await deliver('{"id": ')).statusCode).toBe(400);
    expect((await deliver(JSON.stringify({ id: 'x' }))).statusCode).toBe(400);
    const huge = JSON.stringify(payload({ additional_info: ['x'.repeat(300 * 1024)] }));
    expect((await deliver(huge)).statusCode).toBe(413);
    expect(temporal.signals).toHaveLength(0);
  });

  it('an unknown webhook, or one of a disconnected connector, is 404', async () => {
    const unknown = JSON.stringify(payload({ webhook: { id: 'w-nope', type: 'webhook' } }));
    expect((await deliver(unknown)).statusCode).toBe(404);
    const gone = JSON.stringify(payload({ webhook: { id: 'w2', type: 'webhook' } }));
    expect((await deliver(gone)).statusCode).toBe(404);
    expect(temporal.signals).toHaveLength(0);
    expect(await log.count('c2')).toBe(0);
  });

  it('when the signal fails the answer is 503 and the retry gets through (it is not taken for a duplicate)', async () => {
    const body = JSON.stringify(payload());
    temporal.state.failNext = 1;
    const failed = await deliver(body);
    expect(failed.statusCode).toBe(503);
    expect(temporal.signals).toHaveLength(0);
    const retry = await deliver(body);
    expect(retry.json()).toEqual({ status: 'signalled' });
    expect(temporal.signals).toHaveLength(1);
  });

  it('counts each delivery by outcome and each signal by result', async () => {
    const outcomes = [
      'signalled',
      'duplicate',
      'bad_signature',
      'stale',
      'bad_timestamp',
      'invalid',
      'unknown_webhook',
      'unavailable',
      'too_large',
    ];
    const before = Object.fromEntries(
      await Promise.all(
        outcomes.map(async (o) => [o, await counted(webhookDeliveries, { outcome: o })] as const),
      ),
    );
    const signals = {
      accepted: await counted(fileEventSignals, { result: 'accepted' }),
      failed: await counted(fileEventSignals, { result: 'failed' }),
    };
    const body = JSON.stringify(payload());
    expect((await deliver(body)).statusCode).toBe(200);
    expect((await deliver(body)).statusCode).toBe(200); // Box's retry: a duplicate
    const other = JSON.stringify(payload());
    expect((await deliver(other, signed(other, { key: 'wrong' }))).statusCode).toBe(401);
    expect((await deliver(other, signed(other, { at: Date.now() - 11 * 60_000 }))).statusCode).toBe(401);
    expect((await deliver(other, signed(other, { at: Date.now() + 5 * 60_000 }))).statusCode).toBe(401);
    expect((await deliver('{"id": ')).statusCode).toBe(400);
    expect(
      (await deliver(JSON.stringify(payload({ webhook: { id: 'w-nope', type: 'webhook' } })))).statusCode,
    ).toBe(404);
    temporal.state.failNext = 1;
    expect((await deliver(other)).statusCode).toBe(503);
    expect(
      (await deliver(JSON.stringify(payload({ additional_info: ['x'.repeat(300 * 1024)] })))).statusCode,
    ).toBe(413);
    const after = Object.fromEntries(
      await Promise.all(
        outcomes.map(async (o) => [o, await counted(webhookDeliveries, { outcome: o })] as const),
      ),
    );
    expect(Object.fromEntries(outcomes.map((o) => [o, after[o]! - before[o]!]))).toEqual({
      signalled: 1,
      duplicate: 1,
      bad_signature: 1,
      stale: 1,
      bad_timestamp: 1,
      invalid: 1,
      unknown_webhook: 1,
      unavailable: 1,
      too_large: 1,
    });
    expect(await counted(fileEventSignals, { result: 'accepted' })).toBe(signals.accepted + 1);
    expect(await counted(fileEventSignals, { result: 'failed' })).toBe(signals.failed + 1);
  });

  it('an unsupported signature version or algorithm is told so, not that the signature does not match', async () => {
    for (const [header, value] of [
      ['box-signature-version', '2'],
      ['box-signature-algorithm', 'HmacSHA512'],
    ] as const) {
      const body = JSON.stringify(payload());
      const res = await deliver(body, { ...signed(body), [header]: value });
      expect(res.statusCode).toBe(401);
      expect(res.json<{ detail: string }>().detail).toMatch(
        /signature version or algorithm connect-box does not support/,
      );
    }
    expect(temporal.signals).toHaveLength(0);
  });

  it('a source, item or owner id that is not a Box id is refused 400, recorded nowhere and never signalled', async () => {
    const before = await log.count('c1');
    for (const source of [
      { type: 'file', id: '../../etc', owned_by: { type: 'user', id: '11' } },
      { type: 'file', id: '123', owned_by: { type: 'user', id: 'u-1; drop' } },
      { type: 'collaboration', id: '77', item: { type: 'file', id: 'f"1' } },
    ]) {
      const res = await deliver(JSON.stringify(payload({ source })));
      expect(res.statusCode).toBe(400);
      expect(res.json<{ detail: string }>().detail).toMatch(/ids of Box objects are digits/);
    }
    expect(await log.count('c1')).toBe(before);
    expect(temporal.signals).toHaveLength(0);
  });
});
