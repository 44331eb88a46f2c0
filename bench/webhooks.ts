/**
 * Webhooks end to end: `npm run bench -- webhooks [--files 20000] [--users files/100] [--samples 40]
 *   [--samples-every-ms 1000] [--burst 5000] [--burst-files 2000] [--concurrency 50] [--signal-interval-ms 0]`.
 * box-sim in its own process (its webhook deliveries travel over HTTP to the API), the Temporal dev server,
 * the workers of the three queues and the API listening on a free port, all in this process, SQLite file
 * store. The connector is authorized through box-sim's consent form, its webhooks registered, and while
 * its first full scan runs:
 * - latency (first): every `samples-every-ms` a file below a watched folder is edited through box-sim's control
 *   API (box-sim sends the signed FILE.UPLOADED delivery at once); the time from the edit to the file's new
 *   sha1 stored by the priority lane is the webhook-to-result latency;
 * - burst (after the samples, the scan still running): `burst` signed deliveries for `burst-files` watched
 *   files, sent by the benchmark itself, `concurrency` at a time: deliveries per second, every answer
 *   (HTTP status and body status; all should be 200 signalled), the fileActivity signals the connector
 *   received for them (signals per 1,000 deliveries, and whether every delivery travelled in one), and the
 *   time until the priority lane rescanned every file of the burst. (npm test keeps a small correctness
 *   burst in test/integration/webhooks.test.ts; the figures are measured here.)
 * A full scan of 100,000 files takes about half an hour on 2 cores: pass `--files 100000` for that run.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities, createScanQueueActivities } from '../activities';
import { createWebhookActivities, type WebhookRegistration } from '../activities/webhook-activities';
import { buildApiServer } from '../api/server';
import { boxSignature } from '../api/webhook-signature';
import { workflowIds } from '../common/workflow-ids';
import { loadConfig } from '../config/config';
import { WebhooksRepository } from '../store/webhooks-repository';
import { clickThroughConsent } from '../test/helpers/box-consent';
import { eventually } from '../test/helpers/eventually';
import { createLocalEnv } from '../test/helpers/temporal-env';
import { workflowBundle } from '../test/helpers/workflow-bundle';
import { createWorkerDeps } from '../workers/worker-deps';
import { progressQuery } from '../workflows/scan-files-messages';
import { printFigures, printTable } from './report';
import { freePort, startSimProcess } from './lib/sim-process';

const PRIMARY_KEY = 'box-sim-primary-key';

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const files = Number(options.files ?? 20_000);
  const users = Number(options.users ?? Math.max(10, Math.round(files / 100)));
  const samples = Number(options.samples ?? 40);
  const sampleEveryMs = Number(options['samples-every-ms'] ?? 1000);
  const burst = Number(options.burst ?? 5_000);
  const burstFiles = Number(options['burst-files'] ?? 2000);
  const concurrency = Number(options.concurrency ?? 50);
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-webhooks-'));
  const sim = await startSimProcess(files, users);
  const apiPort = await freePort();
  const env = await createLocalEnv();
  const queue = `bench-webhooks-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, 'store.sqlite')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    BOX_API_BASE_URL: sim.baseUrl,
    BOX_UPLOAD_BASE_URL: `${sim.baseUrl}/upload`,
    BOX_AUTHORIZE_URL: `${sim.baseUrl}/api/oauth2/authorize`,
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    TEMPORAL_TASK_QUEUE: queue,
    TEMPORAL_SCAN_TASK_QUEUE: `${queue}-scan`,
    TEMPORAL_PRIORITY_TASK_QUEUE: `${queue}-priority`,
    LOG_LEVEL: 'warn',
    // The bench measures the receiver, not its per-client limit: box-sim and the burst all come from 127.0.0.1.
    WEBHOOK_RATE_LIMIT: '100000000',
    API_RATE_LIMIT: '100000000',
    WEBHOOK_SIGNAL_INTERVAL_MS: String(options['signal-interval-ms'] ?? 0),
  });
  const deps = await createWorkerDeps(config);
  const queues = config.temporal.taskQueues;
  const scan = createScanQueueActivities(deps);
  const workers = [
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.main,
      workflowBundle: await workflowBundle(),
      activities: createActivities(deps),
    }),
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.scan,
      activities: scan.bulk,
      maxConcurrentActivityTaskExecutions: 8,
    }),
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.priority,
      activities: scan.priority,
      maxConcurrentActivityTaskExecutions: 4,
    }),
  ];
  const running = workers.map((w) => w.run());
  const api = buildApiServer({ config, store: deps.store, temporal: env.client, outcomeWaitMs: 60_000 });
  api.log.level = 'silent';
  await api.listen({ port: apiPort, host: '127.0.0.1' });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency + 8 });
  try {
    // Connect through the API and box-sim's consent page, as an admin would.
    const bearer = { authorization: `Bearer ${config.api.token}` };
    const created = (
      await api.inject({
        method: 'POST',
        url: '/api/connectors',
        payload: { instanceName: 'Bench', dataCenter: 'US1' },
        headers: bearer,
      })
    ).json<{ id: string; authorizeUrl: string }>();
    const connectorId = created.id;
    const manifest = (await sim.get('/_sim/manifest')) as { users: Array<{ login: string; role: string }> };
    const admin = manifest.users.find((u) => u.role === 'admin')!;
    const redirect = await clickThroughConsent(created.authorizeUrl, admin.login);
    await api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(
      async () => {
        const res = await api.inject({
          method: 'GET',
          url: `/api/connectors/${connectorId}`,
          headers: bearer,
        });
        return res.json<{ status: string }>().status;
      },
      {
        what: 'the connector to be Connected',
        timeoutMs: 600_000,
        intervalMs: 100,
        accept: (s) => s === 'Connected',
      },
    );
    const scanStarted = performance.now();
    const registration: WebhookRegistration = await new MockActivityEnvironment().run(
      createWebhookActivities({ config, store: deps.store, clients: deps.clients }).registerWebhooks,
      { connectorId, dataCenter: 'US1' as const, scope: 'allUsers' as const },
    );
    const hooks = await new WebhooksRepository(deps.store.db).list(connectorId);
    const hookOf = new Map(hooks.map((h) => [h.user_id, h.webhook_id]));
    const scanHandle = env.client.workflow.getHandle(workflowIds.scan(connectorId));

    // Files below a watched folder (a file in a root is watched by no webhook).
    const watched: Array<{ id: string; ownerId: string }> = [];
    for (let offset = 0; watched.length < 2000 && offset < files; offset += 1000) {
      const page = (await sim.get(`/_sim/manifest/files?offset=${offset}&limit=1000&activeOnly=true`)) as {
        entries?: Array<{ id: string; ownerId: string; path: string }>;
      };
      for (const f of page.entries ?? [])
        if (f.path.split('/').length > 2 && hookOf.has(f.ownerId)) watched.push(f);
    }
    if (watched.length === 0) throw new Error('no file below a watched folder');

    // Latency: edit -> box-sim's delivery -> signal -> priority rescan -> new sha1 stored.
    const latencies: number[] = [];
    const pending = new Map<string, { sha1: string; t0: number }>();
    let sampling = true;
    const poller = (async () => {
      while (sampling || pending.size > 0) {
        await sleep(20);
        if (pending.size === 0) continue;
        const rows = await deps.store.db
          .selectFrom('files')
          .select(['file_id', 'scanned_sha1'])
          .where('connector_id', '=', connectorId)
          .where('file_id', 'in', [...pending.keys()])
          .execute();
        const now = performance.now();
        for (const row of rows) {
          const p = pending.get(row.file_id);
          if (p && row.scanned_sha1 === p.sha1) {
            latencies.push(now - p.t0);
            pending.delete(row.file_id);
          }
        }
      }
    })();
    const sampler = (async () => {
      for (let k = 0; k < samples; k++) {
        await sleep(sampleEveryMs);
        const file = watched[(k * 7919) % watched.length]!;
        if (pending.has(file.id)) continue;
        const text = `Bench edit ${k} ${randomUUID()}\nSSN: 536-22-8741\n`;
        const t0 = performance.now();
        await sim.post(`/_sim/files/${file.id}/edit`, { text });
        pending.set(file.id, { sha1: createHash('sha1').update(text).digest('hex'), t0 });
      }
    })();

    await sampler;
    const samplingSeconds = (performance.now() - scanStarted) / 1000;
    sampling = false;
    await Promise.race([poller, sleep(120_000)]);
    const progress = await scanHandle.query(progressQuery);

    // Burst, after the samples (its thousands of priority files would queue ahead of them): signals per
    // 1,000 deliveries and deliveries per second.
    const burstSet = watched.slice(0, Math.max(1, Math.min(burstFiles, watched.length)));
    const signalsBefore = await fileActivitySignals(env.client, connectorId);
    const priorityScannedBefore = (await scanHandle.query(progressQuery)).priorityScanned;
    const burstStarted = performance.now();
    const statuses = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < burst; i = next++) {
          const file = burstSet[i % burstSet.length]!;
          const answer = await deliver(agent, apiPort, hookOf.get(file.ownerId)!, file);
          statuses.set(answer, (statuses.get(answer) ?? 0) + 1);
        }
      }),
    );
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    // Every file of the burst rescanned by the priority lane (a file prioritized again is scanned again, so
    // the lane's count reaching the number of files is the least it must do). The listing of the connector's
    // runs trails a continue-as-new, so the signal count is read once the rescans are done.
    const distinctFiles = Math.min(burst, burstSet.length);
    const rescanned = await eventually(async () => (await scanHandle.query(progressQuery)).priorityScanned, {
      what: 'every file of the burst rescanned',
      timeoutMs: 600_000,
      intervalMs: 200,
      accept: (n) => n >= priorityScannedBefore + distinctFiles,
    }).then(
      () => true,
      () => false,
    );
    const burstRescannedSeconds = (performance.now() - burstStarted) / 1000;
    const signalsAfter = await fileActivitySignals(env.client, connectorId);
    const burstSignals = signalsAfter.signals - signalsBefore.signals;
    const burstEvents = signalsAfter.events - signalsBefore.events;

    const sorted = [...latencies].sort((a, b) => a - b);
    const pct = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
    const figures = {
      files,
      users,
      webhooks: registration.folders,
      scanFilesSeenAtEnd: progress.filesSeen,
      scanStillInFirstPass: progress.pass <= 1 && !progress.lastPassCompletedAt,
      samplingSeconds: round(samplingSeconds),
      latencySamples: sorted.length,
      latencySamplesLost: samples - sorted.length,
      latencyMsP50: round(pct(50)),
      latencyMsP95: round(pct(95)),
      latencyMsP99: round(pct(99)),
      burstDeliveries: burst,
      burstFiles: distinctFiles,
      burstAnswers: Object.fromEntries(statuses),
      burstAllSignalled: (statuses.get('200:signalled') ?? 0) + (statuses.get('200:accepted') ?? 0) === burst,
      burstSeconds: round(burstSeconds),
      burstDeliveriesPerSecond: round(burst / burstSeconds),
      burstSignals,
      burstEventsSignalled: burstEvents,
      burstEveryDeliveryInOneSignal: burstEvents === burst,
      burstAllRescanned: rescanned,
      burstRescannedSeconds: round(burstRescannedSeconds),
      signalsPer1000Deliveries: round((burstSignals / Math.max(1, burstEvents)) * 1000),
      connectorRuns: signalsAfter.runs,
      cores: cpus().length,
      node: process.version,
    };
    printTable([
      { figure: 'files in the enterprise / users', value: `${files} / ${users}` },
      { figure: 'webhooks registered (top-level folders)', value: figures.webhooks },
      {
        figure: 'scan still in its first full pass after the samples',
        value: String(figures.scanStillInFirstPass),
      },
      { figure: 'files seen by the scan after the samples', value: figures.scanFilesSeenAtEnd },
      { figure: 'latency samples (edit -> sha1 stored)', value: figures.latencySamples },
      { figure: 'latency p50, ms', value: figures.latencyMsP50 },
      { figure: 'latency p95, ms', value: figures.latencyMsP95 },
      { figure: 'latency p99, ms', value: figures.latencyMsP99 },
      { figure: 'burst deliveries / files', value: `${burst} / ${distinctFiles}` },
      { figure: 'burst answers', value: JSON.stringify(figures.burstAnswers) },
      { figure: 'burst seconds', value: figures.burstSeconds },
      { figure: 'burst deliveries/s', value: figures.burstDeliveriesPerSecond },
      { figure: 'fileActivity signals during the burst', value: burstSignals },
      { figure: 'signals per 1,000 deliveries', value: figures.signalsPer1000Deliveries },
      {
        figure: 'every delivery in exactly one signal',
        value: String(figures.burstEveryDeliveryInOneSignal),
      },
      { figure: 'every burst file rescanned', value: String(rescanned) },
      { figure: 'seconds until every burst file was rescanned', value: figures.burstRescannedSeconds },
      { figure: 'connector runs (continue-as-new chain)', value: figures.connectorRuns },
      { figure: 'cores', value: figures.cores },
    ]);
    printFigures(figures);
  } finally {
    agent.destroy();
    await api.close();
    for (const w of workers) w.shutdown();
    await Promise.allSettled(running);
    await env.teardown().catch(() => undefined);
    await deps.store.close();
    sim.process.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** fileActivity signals and the events they carried, over every run of the connector's chain. */
async function fileActivitySignals(
  client: Awaited<ReturnType<typeof createLocalEnv>>['client'],
  connectorId: string,
): Promise<{ signals: number; events: number; runs: number }> {
  const workflowId = workflowIds.connector(connectorId);
  let signals = 0;
  let events = 0;
  let runs = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs++;
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const s = e.workflowExecutionSignaledEventAttributes;
      if (s?.signalName !== 'fileActivity') continue;
      signals++;
      const data = s.input?.payloads?.[0]?.data;
      if (data)
        events += (JSON.parse(Buffer.from(data).toString('utf8')) as { events: unknown[] }).events.length;
    }
  }
  return { signals, events, runs };
}

/** One signed FILE.UPLOADED delivery, as Box sends it; resolves with `<HTTP status>:<body status or type>`. */
function deliver(
  agent: Agent,
  port: number,
  webhookId: string,
  file: { id: string; ownerId: string },
): Promise<string> {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const body = JSON.stringify({
    type: 'webhook_event',
    id: randomUUID(),
    created_at: timestamp,
    trigger: 'FILE.UPLOADED',
    webhook: { id: webhookId, type: 'webhook' },
    created_by: { type: 'user', id: file.ownerId },
    source: { type: 'file', id: file.id, owned_by: { type: 'user', id: file.ownerId } },
    additional_info: [],
  });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/webhooks/box',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json; charset=UTF-8',
          'box-delivery-id': randomUUID(),
          'box-delivery-timestamp': timestamp,
          'box-signature-version': '1',
          'box-signature-algorithm': 'HmacSHA256',
          'box-signature-primary': boxSignature(body, timestamp, PRIMARY_KEY),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let said = '';
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              status?: string;
              type?: string;
            };
            said = body.status ?? body.type ?? '';
          } catch {
            said = 'unreadable';
          }
          resolve(`${res.statusCode ?? 0}:${said}`);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
