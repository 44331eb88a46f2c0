/**
 * Two API processes (api/main.ts) behind one address, on one dev server and one PostgreSQL store (issue
 * 15, horizontal scale): a round-robin proxy stands for the load balancer, so a connector created
 * through one API has its OAuth callback answered by the other, and Box's webhook deliveries alternate
 * between them. Every edited file is rescanned once, each delivery recorded once, and each API
 * answers every read with the same state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../common/workflow-ids';
import { EventLogRepository } from '../../store/event-log-repository';
import { WebhookOutboxRepository } from '../../store/webhook-outbox-repository';
import { WebhooksRepository } from '../../store/webhooks-repository';
import { progressQuery } from '../../workflows/scan-files-messages';
import { clickThroughConsent } from '../helpers/box-consent';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';
import { createTestDatabase } from '../helpers/stores';
import { createLocalEnv } from '../helpers/temporal-env';

const root = join(__dirname, '..', '..');
const TOKEN = 'two-apis-token-0123456789abcdef';

/** A proxy that sends each request to the next of `ports` in turn; says which port took each path. */
function roundRobin(ports: number[]): {
  server: Server;
  served: number[];
  log: Array<{ i: number; path: string }>;
} {
  const served = ports.map(() => 0);
  const log: Array<{ i: number; path: string }> = [];
  let next = 0;
  const server = createServer((req, res) => {
    const i = next++ % ports.length;
    served[i]!++;
    log.push({ i, path: req.url ?? '' });
    const upstream = request(
      { host: '127.0.0.1', port: ports[i], path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return { server, served, log };
}

describe('two API processes behind one address', () => {
  let env: TestWorkflowEnvironment;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let stack: ConnectStack;
  let proxy: ReturnType<typeof roundRobin>;
  let base: string;
  const apis: ChildProcess[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      redirect: 'manual',
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, headers: res.headers };
  };

  beforeAll(async () => {
    const [proxyPort, ...apiPorts] = await Promise.all([freePort(), freePort(), freePort()]);
    base = `http://127.0.0.1:${proxyPort}`;
    env = await createLocalEnv();
    database = await createTestDatabase();
    // The in-process worker runs the workflows and registers Box's webhooks at the proxy's address; the
    // in-process API is not used (its outbox sweeper is kept out of the way).
    stack = await startConnectStack({
      env,
      settings: {
        DATABASE_URL: database.url,
        PUBLIC_BASE_URL: base,
        API_TOKEN: TOKEN,
        WEBHOOK_OUTBOX_SWEEP_MS: '3600000',
      },
      sim: { users: 4, files: 120, webhookRetryDelaysMs: [2_000, 4_000, 8_000], webhookTimeoutMs: 10_000 },
    });
    for (const port of apiPorts) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'api', 'main.ts')], {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: database.url,
          ENCRYPTION_KEY: stack.config.encryptionKeyHex,
          API_TOKEN: TOKEN,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
          TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueues.main,
          TEMPORAL_SCAN_TASK_QUEUE: stack.config.temporal.taskQueues.scan,
          TEMPORAL_PRIORITY_TASK_QUEUE: stack.config.temporal.taskQueues.priority,
          API_HOST: '127.0.0.1',
          API_PORT: String(port),
          PUBLIC_BASE_URL: base,
          BOX_API_BASE_URL: stack.config.box.apiBaseUrl,
          BOX_UPLOAD_BASE_URL: stack.config.box.uploadBaseUrl,
          BOX_AUTHORIZE_URL: stack.config.box.authorizeUrl,
          LOG_LEVEL: 'warn',
          WEBHOOK_OUTBOX_SWEEP_MS: '500',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      apis.push(child);
    }
    proxy = roundRobin(apiPorts);
    await new Promise<void>((resolve) => proxy.server.listen(proxyPort, '127.0.0.1', resolve));
    for (const port of apiPorts)
      await eventually(
        async () => {
          try {
            return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
          } catch {
            return false;
          }
        },
        { what: `the API on port ${port} to listen`, timeoutMs: 60_000, intervalMs: 200 },
      );
  }, 180_000);
  afterAll(async () => {
    for (const c of apis) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await new Promise((resolve) => proxy?.server.close(resolve));
    await stack?.close();
    await env?.teardown();
    await database?.drop();
  });

  it('connect through one API, call back through the other; every edit delivered to either is rescanned once', async () => {
    const created = await call('POST', '/api/connectors', { instanceName: 'Two APIs', dataCenter: 'US1' });
    expect(created.status).toBe(201);
    const connectorId = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      stack.sim.manifest.admin.login,
    );
    // The callback is the next request through the proxy: the other API than the one that made the state.
    const callback = await fetch(`${base}${redirect.pathname}${redirect.search}`, { redirect: 'manual' });
    expect(callback.status).toBeLessThan(400);
    const createdBy = proxy.log.find((r) => r.path === '/api/connectors')!.i;
    const calledBackBy = proxy.log.find((r) => r.path.startsWith(redirect.pathname))!.i;
    expect(calledBackBy).not.toBe(createdBy);
    await eventually(
      async () =>
        (await call('GET', `/api/connectors/${connectorId}`)).json?.status === 'Connected' &&
        (await new WebhooksRepository(stack.deps.store.db).count(connectorId)) > 0,
      { what: 'the connector to be Connected with webhooks', timeoutMs: 90_000, intervalMs: 300 },
    );
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(connectorId));
    await eventually(async () => (await scan.query(progressQuery)).lastPassCompletedAt, {
      what: 'the first pass to complete',
      timeoutMs: 90_000,
      intervalMs: 300,
      accept: (at) => !!at,
    });

    const files = [...stack.sim.manifest.files({ activeOnly: true })]
      .filter((f) => f.path.split('/').length > 2)
      .slice(0, 8);
    const scannedBefore = (await scan.query(progressQuery)).priorityScanned;
    const servedBefore = [...proxy.served];
    for (const f of files) stack.sim.control.edit(f.id);
    await eventually(async () => (await scan.query(progressQuery)).priorityScanned, {
      what: 'the priority rescans of the edited files',
      timeoutMs: 60_000,
      intervalMs: 200,
      accept: (n) => n >= scannedBefore + files.length,
    });
    await stack.sim.webhooksIdle();
    // Both APIs took deliveries.
    expect(proxy.served.map((n, i) => n - servedBefore[i]!).every((n) => n > 0)).toBe(true);
    const events = new EventLogRepository(stack.deps.store.db);
    for (const f of files) {
      const rows = (await events.query(connectorId, { fileId: f.id, types: ['FILE.UPLOADED'] })).items;
      expect(rows).toHaveLength(1);
    }
    expect(await new WebhookOutboxRepository(stack.deps.store.db).countPending(connectorId)).toBe(0);
    // Each API answers a read with the same state.
    const reads = await Promise.all([0, 1].map(() => call('GET', `/api/connectors/${connectorId}`)));
    expect(reads[0]!.json).toEqual(reads[1]!.json);
  }, 240_000);
});
