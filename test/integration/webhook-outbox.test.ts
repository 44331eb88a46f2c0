import type { Client } from '@temporalio/client';
import { fetchDecodedHistory } from '../helpers/replay';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../common/workflow-ids';
import { EventLogRepository } from '../../store/event-log-repository';
import { WebhookOutboxRepository } from '../../store/webhook-outbox-repository';
import { WebhooksRepository } from '../../store/webhooks-repository';
import { progressQuery } from '../../workflows/scan-files-messages';
import { clickThroughConsent } from '../helpers/box-consent';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { createLocalEnv } from '../helpers/temporal-env';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';

const root = join(__dirname, '..', '..');

/** The file ids of every fileActivity signal of the connector (all runs of its chain). */
async function signalledFiles(temporal: Client, connectorId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of temporal.workflow.list({
    query: `WorkflowId = '${workflowIds.connector(connectorId)}'`,
  })) {
    const history = await fetchDecodedHistory(temporal, run.workflowId, run.runId);
    for (const e of history.events ?? []) {
      const s = e.workflowExecutionSignaledEventAttributes;
      if (s?.signalName !== 'fileActivity') continue;
      const payload = s.input?.payloads?.[0]?.data;
      if (!payload) continue;
      const arg = JSON.parse(Buffer.from(payload).toString('utf8')) as { events: Array<{ fileId: string }> };
      ids.push(...arg.events.map((x) => x.fileId));
    }
  }
  return ids;
}

describe('webhook outbox: an API process killed between recording and signalling loses no rescan', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  let port: number;
  let connectorId: string;
  const children: ChildProcess[] = [];

  /** A real API process (api/main.ts) on the webhook port, sharing the store and the dev server. */
  const spawnApi = (extra: NodeJS.ProcessEnv): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'api', 'main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: stack.config.databaseUrl,
        ENCRYPTION_KEY: stack.config.encryptionKeyHex,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
        TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueues.main,
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        BOX_API_BASE_URL: stack.config.box.apiBaseUrl,
        LOG_LEVEL: 'warn',
        WEBHOOK_OUTBOX_SWEEP_MS: '500',
        WEBHOOK_OUTBOX_LEASE_MS: '1500',
        ...extra,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    return child;
  };
  const listening = () =>
    eventually(
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      { what: 'the spawned API to listen', timeoutMs: 60_000, intervalMs: 200 },
    );

  beforeAll(async () => {
    port = await freePort();
    env = await createLocalEnv();
    stack = await startConnectStack({
      env,
      sim: {
        users: 4,
        files: 120,
        webhookRetryDelaysMs: [4_000, 4_000, 8_000, 16_000],
        webhookTimeoutMs: 10_000,
      },
      // The in-process API only connects the connector; its sweeper stays out of the way.
      settings: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, WEBHOOK_OUTBOX_SWEEP_MS: '3600000' },
    });
    const created = await stack.call('POST', '/api/connectors', {
      instanceName: 'Outbox',
      dataCenter: 'US1',
    });
    connectorId = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      stack.sim.manifest.admin.login,
    );
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(
      async () => {
        const c = (await stack.call('GET', `/api/connectors/${connectorId}`)).json;
        return (
          c?.status === 'Connected' &&
          (await new WebhooksRepository(stack.deps.store.db).count(connectorId)) > 0
        );
      },
      { what: 'the connector to be Connected with webhooks', timeoutMs: 90_000, intervalMs: 200 },
    );
  }, 180_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await stack?.close();
    await env?.teardown();
  });

  const killAfterRecord = async (settings: NodeJS.ProcessEnv, skip: number) => {
    const faulty = spawnApi({ ...settings, CONNECT_BOX_TEST_FAULT: 'webhook-after-record' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      faulty.once('exit', (_c, s) => resolve(s)),
    );
    await listening();
    const files = [...stack.sim.manifest.files({ activeOnly: true })]
      .filter((f) => f.path.split('/').length > 2)
      .slice(skip, skip + 6);
    const before = new Set(await signalledFiles(stack.temporal, connectorId));
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(connectorId));
    const scannedBefore = (await scan.query(progressQuery)).priorityScanned;
    for (const f of files) stack.sim.control.edit(f.id);
    expect(await exited).toBe('SIGKILL');

    const outbox = new WebhookOutboxRepository(stack.deps.store.db);
    expect(await outbox.countPending(connectorId)).toBeGreaterThan(0);
    const events = new EventLogRepository(stack.deps.store.db);
    const recordedBeforeRestart = await Promise.all(
      files.map(
        async (f) =>
          (await events.query(connectorId, { fileId: f.id, types: ['FILE.UPLOADED'] })).items.length,
      ),
    );
    expect(recordedBeforeRestart.some((n) => n === 1)).toBe(true);

    spawnApi(settings);
    await listening();
    await eventually(async () => new Set(await signalledFiles(stack.temporal, connectorId)), {
      what: 'every edited file signalled after the restart',
      timeoutMs: 90_000,
      intervalMs: 500,
      accept: (ids) => files.every((f) => ids.has(f.id) && !before.has(f.id)),
    });
    await eventually(async () => (await scan.query(progressQuery)).priorityScanned, {
      what: 'the priority rescans of the edited files',
      timeoutMs: 60_000,
      intervalMs: 200,
      accept: (n) => n >= scannedBefore + files.length,
    });
    await eventually(() => outbox.countPending(connectorId), {
      what: 'nothing left pending',
      timeoutMs: 30_000,
      intervalMs: 200,
      accept: (n) => n === 0,
    });
    await stack.sim.webhooksIdle();
    for (const f of files) {
      const rows = (await events.query(connectorId, { fileId: f.id, types: ['FILE.UPLOADED'] })).items;
      expect(rows).toHaveLength(1);
    }
    // The next case listens on the same port: the API of this one must be gone first.
    await Promise.all(
      children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map((c) => new Promise((resolve) => c.once('exit', resolve).kill('SIGKILL'))),
    );
  };

  it(
    'SIGKILL after the record (paced signals, the default): every edited file is rescanned after the retry or the sweep, each once in the event log',
    () => killAfterRecord({}, 0),
    240_000,
  );

  it(
    'the same with unpaced signals (WEBHOOK_SIGNAL_INTERVAL_MS=0): nothing is lost either',
    () => killAfterRecord({ WEBHOOK_SIGNAL_INTERVAL_MS: '0' }, 6),
    240_000,
  );
});
