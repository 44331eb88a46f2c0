import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { clickThroughConsent } from '../../box-sim/consent-client';
import { workflowIds } from '../../common/workflow-ids';
import { ENCRYPTED_ENCODING } from '../../config/payload-codec';
import { fileEventsSignal } from '../../workflows/connect-box-messages';
import { progressQuery } from '../../workflows/scan-files-messages';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { createLocalEnv } from '../helpers/temporal-env';
import { temporalToolchain } from '../../scripts/temporal-toolchain';

const History = temporal.api.history.v1.History;

/** Every payload of a history, search attributes aside (they are indexed by the server: never encoded). */
function payloadsOf(history: temporal.api.history.v1.IHistory): Array<Payload & { path: string }> {
  const found: Array<Payload & { path: string }> = [];
  const visit = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
    if (path.endsWith('.searchAttributes')) return;
    if ('metadata' in node && 'data' in node && (node as Payload).data instanceof Uint8Array) {
      found.push({ ...(node as Payload), path });
      return;
    }
    for (const [k, v] of Object.entries(node)) visit(v, Array.isArray(node) ? `${path}[]` : `${path}.${k}`);
  };
  visit(History.toObject(History.decode(History.encode(history).finish()), { defaults: false }), '');
  return found;
}

const b64 = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? new Uint8Array()).toString('base64');

describe('Temporal payloads are encrypted end to end (dev server, box-sim, the product data converter)', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  beforeAll(async () => {
    env = await createLocalEnv();
    stack = await startConnectStack({ env });
  });
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
  });

  it('the raw histories of a connect hold no clear admin login, enterprise id or file id; the codec endpoint decodes them', async () => {
    const created = await stack.call('POST', '/api/connectors', {
      instanceName: 'Codec check',
      dataCenter: 'US1',
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const admin = stack.sim.manifest.admin.login;
    const enterpriseId = stack.sim.manifest.enterpriseId;
    const redirect = await clickThroughConsent(created.json.authorizeUrl, admin);
    const page = await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    expect(page.body).toContain('Box was successfully connected');
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(id));
    await eventually(
      () =>
        scan.query(progressQuery).then(
          (p) => Boolean(p.lastPassCompletedAt),
          () => false,
        ),
      { what: 'the first full scan pass', timeoutMs: 60_000, intervalMs: 200 },
    );
    // A file event: its file id travels through the connector and the scan's priority lane.
    const file = stack.sim.manifest.files({ activeOnly: true }).next().value!;
    await stack.temporal.workflow.getHandle(workflowIds.connector(id)).signal(fileEventsSignal, {
      events: [
        {
          fileId: file.id,
          kind: 'content',
          eventType: 'FILE.UPLOADED',
          occurredAt: new Date().toISOString(),
          source: 'webhook',
        },
      ],
    });
    await eventually(
      async () =>
        ((await scan.fetchHistory()).events ?? []).some(
          (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'prioritize',
        ),
      { what: 'the scan to receive the prioritized file', timeoutMs: 20_000, intervalMs: 100 },
    );

    // The raw histories, as the Temporal server stores them (a client without the codec).
    const ids = [
      workflowIds.connector(id),
      workflowIds.scan(id),
      workflowIds.backfill(id),
      workflowIds.events(id),
    ];
    const raw = await Promise.all(ids.map((w) => env.client.workflow.getHandle(w).fetchHistory()));
    const payloads = raw.flatMap(payloadsOf);
    const encodingOf = (p: Payload) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString();
    expect(payloads.length).toBeGreaterThan(10);
    // Patch markers (patched() ids: names in our code, not data) are written by the SDK core, never encoded.
    const sdkMarkers = (p: { path: string }) =>
      p.path.includes('markerRecordedEventAttributes.details.patch-data');
    expect(
      payloads
        .filter((p) => !sdkMarkers(p) && encodingOf(p) !== ENCRYPTED_ENCODING)
        .map((p) => `${p.path}: ${Buffer.from(p.data!).toString()}`),
    ).toEqual([]);
    const rawBytes = Buffer.concat(
      raw.map((h) => {
        const copy = History.toObject(History.decode(History.encode(h).finish()));
        const strip = (node: unknown): void => {
          if (node === null || typeof node !== 'object') return;
          for (const [k, v] of Object.entries(node)) {
            if (k === 'searchAttributes') delete (node as Record<string, unknown>)[k];
            else strip(v);
          }
        };
        strip(copy);
        return Buffer.from(History.encode(History.fromObject(copy)).finish());
      }),
    );
    const secrets = { admin, enterpriseId: `"${enterpriseId}"`, fileId: `"${file.id}"` };
    for (const [what, value] of Object.entries(secrets))
      expect({ what, inRawHistory: rawBytes.includes(value) }).toEqual({ what, inRawHistory: false });

    // The same payloads through the codec endpoint, as the Web UI and the CLI read them.
    const decoded = await stack.api.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { authorization: `Bearer ${stack.config.api.token}`, 'x-namespace': 'default' },
      payload: {
        payloads: payloads.map((p) => ({
          metadata: {
            encoding: b64(p.metadata!.encoding),
            'encryption-key-id': b64(p.metadata!['encryption-key-id']),
          },
          data: b64(p.data),
        })),
      },
    });
    expect(decoded.statusCode).toBe(200);
    const clear = decoded
      .json<{ payloads: Array<{ data: string }> }>()
      .payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8'))
      .join('\n');
    for (const [what, value] of Object.entries(secrets))
      expect({ what, decoded: clear.includes(value) }).toEqual({ what, decoded: true });
  });

  it('the Temporal CLI decodes a history through the endpoint with --codec-endpoint and --codec-auth', async () => {
    const created = await stack.call('POST', '/api/connectors', {
      instanceName: 'Codec CLI',
      dataCenter: 'US1',
    });
    const id = created.json.id as string;
    const admin = stack.sim.manifest.admin.login;
    const redirect = await clickThroughConsent(created.json.authorizeUrl, admin);
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(
      async () => (await stack.call('GET', `/api/connectors/${id}`)).json?.status === 'Connected',
      {
        what: 'the connector to be Connected',
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    await stack.api.listen({ host: '127.0.0.1', port: 0 });
    const port = (stack.api.server.address() as AddressInfo).port;
    const show = (...extra: string[]) =>
      promisify(execFile)(
        temporalToolchain().temporalCli,
        [
          'workflow',
          'show',
          '--address',
          env.address,
          '--workflow-id',
          workflowIds.connector(id),
          '--output',
          'json',
          ...extra,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      ).then((r) => r.stdout);
    // The CLI's JSON shows each payload's data in base64: what a reader of it gets.
    const dataOf = (json: string) =>
      [...json.matchAll(/"data": "([A-Za-z0-9+/=]*)"/g)]
        .map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'))
        .join('\n');
    const plain = await show();
    expect(plain).toContain(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
    expect(dataOf(plain)).not.toContain(admin);
    const decoded = await show(
      '--codec-endpoint',
      `http://127.0.0.1:${port}/codec`,
      '--codec-auth',
      `Bearer ${stack.config.api.token}`,
    );
    expect(decoded).not.toContain(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
    expect(dataOf(decoded)).toContain(admin);
    await expect(show('--codec-endpoint', `http://127.0.0.1:${port}/codec`)).rejects.toThrow();
  });
});
