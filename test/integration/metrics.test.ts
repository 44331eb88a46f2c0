import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/**
 * Metrics end to end: a real worker process (workers/main.ts, metrics on a free port) and an in-process API
 * listening for box-sim's webhooks; connect, full scan, then a file edited at Box reaches the API as a
 * webhook and is rescanned by the priority lane. Then both endpoints are scraped: the API's GET /api/metrics
 * (bearer) and the worker's /metrics (product series and the Temporal SDK's through the one URL).
 */
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../common/workflow-ids';
import { WebhooksRepository } from '../../store/webhooks-repository';
import { progressQuery } from '../../workflows/scan-files-messages';
import { clickThroughConsent } from '../helpers/box-consent';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { writeWorkflowBundle } from '../../workers/workflow-bundle';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { sampleSum } from '../helpers/prometheus-text';
import { createLocalEnv } from '../helpers/temporal-env';
import { freePort } from '../helpers/free-ports';

describe('metrics: the API and the worker expose what a connect, a scan and a webhook rescan did', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  let worker: ChildProcess;
  let workerMetricsUrl: string;
  let connectorId: string;

  /**
   * workers/main.ts on the stack's queues with WORKER_METRICS_PORT=0, its workflows from a bundle built
   * beforehand (as production workers load them); resolves with its metrics URL once it polls.
   */
  const spawnWorker = async (): Promise<string> => {
    const bundle = await writeWorkflowBundle(join(mkdtempSync(join(tmpdir(), 'cb-bundle-')), 'workflows.js'));
    const started = await spawnWorkerProcess(stack, env.address, { WORKFLOW_BUNDLE: bundle.path });
    expect(started.written.out).toContain(`workflows from the prebuilt bundle ${bundle.path}`);
    worker = started.child;
    // It logs where it serves its metrics before it polls.
    const url = /"msg":"metrics on (http:\/\/[^\s"]+\/metrics)/.exec(started.written.out)?.[1];
    if (!url) throw new Error(`the worker did not say where its metrics are: ${started.written.out}`);
    return url;
  };

  beforeAll(async () => {
    const port = await freePort();
    env = await createLocalEnv();
    stack = await startConnectStack({
      env,
      noWorker: true,
      sim: { seed: 7, users: 4, files: 80, webhookRetryDelaysMs: [300, 600, 1200] },
      settings: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
    });
    await stack.api.listen({ port, host: '127.0.0.1' });
    workerMetricsUrl = await spawnWorker();
    const created = await stack.call('POST', '/api/connectors', {
      instanceName: 'Metrics',
      dataCenter: 'US1',
    });
    connectorId = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      stack.sim.manifest.admin.login,
    );
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(
      async () => (await stack.call('GET', `/api/connectors/${connectorId}`)).json?.status === 'Connected',
      { what: 'the connector to be Connected', timeoutMs: 60_000, intervalMs: 200 },
    );
  }, 180_000);
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await stack?.close();
    await env?.teardown();
  });

  const scrapeWorker = async () => {
    const res = await fetch(workerMetricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('after the full scan and a webhook-triggered rescan, both endpoints show what happened', async () => {
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(connectorId));
    await eventually(() => scan.query(progressQuery), {
      what: 'the first full pass to complete',
      timeoutMs: 120_000,
      intervalMs: 250,
      accept: (p) => p.lastPassCompletedAt !== undefined,
    });
    const hooks = new WebhooksRepository(stack.deps.store.db);
    await eventually(() => hooks.count(connectorId), {
      what: 'webhooks registered',
      timeoutMs: 60_000,
      intervalMs: 200,
      accept: (n) => n > 0,
    });
    const before = (await scan.query(progressQuery)).priorityScanned;
    const file = [...stack.sim.manifest.files({ activeOnly: true })].find(
      (f) => f.path.split('/').length > 2, // below a top-level folder: a webhook watches it
    )!;
    stack.sim.control.edit(file.id);
    await stack.sim.webhooksIdle();
    await eventually(async () => (await scan.query(progressQuery)).priorityScanned, {
      what: 'the priority rescan of the edited file',
      timeoutMs: 60_000,
      intervalMs: 200,
      accept: (n) => n > before,
    });

    // The worker: product series and the SDK's, one URL.
    const text = await eventually(scrapeWorker, {
      what: 'the rescan latency in the worker metrics',
      timeoutMs: 10_000,
      intervalMs: 200,
      accept: (t) =>
        sampleSum(t, 'connect_box_file_event_to_result_seconds_count', { source: 'webhook' }) >= 1,
    });
    expect(sampleSum(text, 'connect_box_files_walked_total')).toBe(
      [...stack.sim.manifest.files({ activeOnly: true })].length,
    );
    expect(
      sampleSum(text, 'connect_box_files_judged_total', { lane: 'scan', result: 'inspected' }),
    ).toBeGreaterThan(0);
    expect(sampleSum(text, 'connect_box_files_judged_total', { lane: 'priority' })).toBeGreaterThanOrEqual(1);
    expect(sampleSum(text, 'connect_box_findings_opened_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^connect_box_findings_opened_total\{policy="[a-z0-9-]+",severity="[a-z]+"\} \d+/m);
    expect(
      sampleSum(text, 'connect_box_box_requests_total', {
        endpoint: 'GET /2.0/folders/:id/items',
        status: '200',
      }),
    ).toBeGreaterThan(0);
    expect(
      sampleSum(text, 'connect_box_box_requests_total', { endpoint: 'GET /2.0/users', status: '200' }),
    ).toBeGreaterThan(0);
    // Download tokens are folded: no endpoint label carries one.
    expect(text).not.toMatch(/endpoint="[^"]*\/d\/1\/[A-Za-z0-9_-]{20,}/);
    expect(sampleSum(text, 'connect_box_inspection_seconds_count')).toBeGreaterThan(0);
    expect(sampleSum(text, 'connect_box_scan_pass_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(
      sampleSum(text, 'connect_box_event_lag_seconds', { connector: connectorId, stream: 'backfill' }),
    ).toBe(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).toMatch(/^temporal_workflow_task_queue_poll_succeed_total\{/m);
    expect(text).not.toContain(stack.config.encryptionKeyHex);

    // The API: bearer only; its series and prom-client's process series.
    const refused = await stack.api.inject({ method: 'GET', url: '/api/metrics' });
    expect(refused.statusCode).toBe(401);
    const api = await stack.call('GET', '/api/metrics');
    expect(api.status).toBe(200);
    expect(
      sampleSum(api.body, 'connect_box_webhook_deliveries_total', { outcome: 'signalled' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleSum(api.body, 'connect_box_file_event_signals_total', { result: 'accepted' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleSum(api.body, 'connect_box_file_event_signal_events_count')).toBeGreaterThanOrEqual(1);
    expect(sampleSum(api.body, 'connect_box_file_event_signal_events_sum')).toBeGreaterThanOrEqual(1);
    // The priority lane's depth, read from the scan through its progress query (empty once rescanned).
    expect(api.body).toMatch(
      new RegExp(`^connect_box_priority_queue_files\\{connector="${connectorId}"\\} 0$`, 'm'),
    );
    expect(api.body).toMatch(/^process_resident_memory_bytes /m);
  });
});
