import fc from 'fast-check';
import { boxSignature } from '../../../api/webhook-signature';
import { WebhooksRepository } from '../../../store/webhooks-repository';
import { AUTH, startTestApi, type TestApi, addConnector } from '../../helpers/api-server';

type Doc = { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>> };

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'] as const;

/** Path segments an attacker would try: ids, encodings, traversal, unicode, very long. */
const segment = fc.oneof(
  fc.constant('c1'),
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z0-9%._~-]{0,30}$/),
  fc.constantFrom('..', '%2e%2e', '%2F', '%00', '%', '%zz', '😀', 'a'.repeat(300), ''),
);
const queryValue = fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.constant(''));
const jsonBody = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({
    instanceName: fc.string({ maxLength: 120 }),
    dataCenter: fc.constantFrom('US1', 'EU1', 'XX', ''),
  }),
);

describe('fuzzing the documented routes (fast-check, bounded)', () => {
  let api: TestApi;
  let operations: Array<{ method: string; template: string; query: string[] }>;
  beforeAll(async () => {
    api = await startTestApi({ API_RATE_LIMIT: '1000000', OAUTH_CALLBACK_RATE_LIMIT: '1000000' });
    await addConnector(api, 'c1');
    api.temporal.running.add('connector/c1');
    api.temporal.running.add('connector/c1/scan');
    const doc = (await api.app.inject({ url: '/openapi.json' })).json<Doc>();
    operations = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        template,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(15);
  });
  afterAll(() => api.close());

  const request = () =>
    fc
      .record({
        op: fc.nat(),
        method: fc.option(fc.constantFrom(...METHODS), { nil: undefined }),
        params: fc.array(segment, { minLength: 2, maxLength: 2 }),
        query: fc.array(fc.tuple(fc.oneof(fc.constant(''), fc.string({ maxLength: 10 })), queryValue), {
          maxLength: 4,
        }),
        knownQuery: fc.array(queryValue, { maxLength: 6 }),
        body: jsonBody,
        contentType: fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          undefined,
        ),
      })
      .map((r) => {
        const op = operations[r.op % operations.length]!;
        let i = 0;
        const path = op.template.replace(/\{[^}]+\}/g, () => encodeURIComponent(r.params[i++] ?? ''));
        const q = new URLSearchParams();
        op.query.forEach((name, k) => r.knownQuery[k] !== undefined && q.append(name, r.knownQuery[k]));
        for (const [k, v] of r.query) q.append(k, v);
        const qs = q.toString();
        return {
          method: r.method ?? op.method,
          url: `${path}${qs ? `?${qs}` : ''}`,
          payload: r.body === undefined ? undefined : JSON.stringify(r.body),
          contentType: r.body === undefined ? undefined : r.contentType,
        };
      });

  it('no request, with or without the token, ever gets a 5xx; without the token nothing under /api is 2xx', async () => {
    await fc.assert(
      fc.asyncProperty(request(), fc.boolean(), async (req, withToken) => {
        const res = await api.app.inject({
          method: req.method as 'GET',
          url: req.url,
          payload: req.payload,
          headers: {
            ...(withToken ? AUTH : {}),
            ...(req.contentType && { 'content-type': req.contentType }),
          },
        });
        if (res.statusCode >= 500) return false;
        if (!withToken && req.url.startsWith('/api')) return res.statusCode === 401;
        if (res.statusCode >= 400 && req.method !== 'HEAD')
          return (
            String(res.headers['content-type']).startsWith('application/problem+json') ||
            String(res.headers['content-type']).startsWith('text/html')
          );
        return true;
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzzing Box webhook deliveries (fast-check, bounded)', () => {
  let api: TestApi;
  const KEY = 'fuzz-primary-key';
  beforeAll(async () => {
    api = await startTestApi({
      WEBHOOK_RATE_LIMIT: '1000000',
      BOX_WEBHOOK_PRIMARY_KEY: KEY,
      BOX_WEBHOOK_SECONDARY_KEY: 'fuzz-secondary-key',
    });
    await addConnector(api, 'c1');
    await new WebhooksRepository(api.store.db).record('c1', {
      webhookId: '500',
      targetType: 'folder',
      targetId: '100',
      userId: '11',
    });
    api.temporal.running.add('connector/c1');
  });
  afterAll(() => api.close());

  const signals = () => api.temporal.calls.filter((c) => c.kind === 'signal').length;
  let n = 0;
  const validPayload = () =>
    JSON.stringify({
      type: 'webhook_event',
      id: `fuzz-${++n}`,
      trigger: 'FILE.UPLOADED',
      webhook: { id: '500' },
      source: { type: 'file', id: String(1000 + n), owned_by: { id: '11' } },
    });
  const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');

  it('a delivery that fails verification is never signalled and never a 5xx', async () => {
    const tamper = fc.oneof(
      fc.record({ kind: fc.constant('body' as const), at: fc.nat(), byte: fc.integer({ min: 1, max: 255 }) }),
      fc.record({
        kind: fc.constant('header' as const),
        name: fc.constantFrom(
          'box-signature-primary',
          'box-delivery-timestamp',
          'box-signature-version',
          'box-signature-algorithm',
        ),
        value: fc.oneof(fc.string({ maxLength: 60 }), fc.constant('')),
      }),
      fc.record({ kind: fc.constant('key' as const), key: fc.string({ minLength: 1, maxLength: 20 }) }),
      fc.record({ kind: fc.constant('random' as const), body: fc.string({ maxLength: 300 }) }),
    );
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        let body = validPayload();
        const ts = timestamp();
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'box-delivery-timestamp': ts,
          'box-signature-version': '1',
          'box-signature-algorithm': 'HmacSHA256',
          'box-signature-primary': boxSignature(body, ts, t.kind === 'key' ? `${KEY}${t.key}` : KEY),
        };
        if (t.kind === 'body') {
          const bytes = Buffer.from(body);
          const at = t.at % bytes.length;
          bytes[at] = bytes[at]! ^ t.byte;
          body = bytes.toString('latin1');
        } else if (t.kind === 'header') {
          if (headers[t.name] === t.value || (t.name === 'box-signature-version' && t.value === '1'))
            return true;
          if (t.name === 'box-signature-algorithm' && t.value === 'HmacSHA256') return true;
          headers[t.name] = t.value;
        } else if (t.kind === 'random') {
          body = t.body;
        }
        const before = signals();
        const res = await api.app.inject({ method: 'POST', url: '/webhooks/box', payload: body, headers });
        return res.statusCode < 500 && res.statusCode !== 200 && signals() === before;
      }),
      { numRuns: Math.round(RUNS / 2) },
    );
  });

  it('the same deliveries, untampered, are signalled (the property above can fail)', async () => {
    const before = signals();
    for (let i = 0; i < 3; i++) {
      const body = validPayload();
      const ts = timestamp();
      const res = await api.app.inject({
        method: 'POST',
        url: '/webhooks/box',
        payload: body,
        headers: {
          'content-type': 'application/json',
          'box-delivery-timestamp': ts,
          'box-signature-primary': boxSignature(body, ts, KEY),
        },
      });
      expect(res.statusCode).toBe(200);
    }
    expect(signals()).toBe(before + 3);
  });
});
