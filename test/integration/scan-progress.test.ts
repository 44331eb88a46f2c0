/**
 * Scan progress against ground truth with real worker processes (workers/main.ts) sharing a dev server and
 * a store with the API, SQLite (a file) then PostgreSQL (issue 18 items 4 and 5):
 * - a worker killed with SIGKILL mid-step during a full pass: the API shows exactly what the store holds
 *   (rows counted in the store directly), the killed step is retried on a second worker within 30 s of the
 *   kill, and the finished pass counts what box-sim holds;
 * - every token rejected mid-pass (box-sim's "app removed"): the API shows exactly what the store holds,
 *   and after a new authorization the pass completes with box-sim's totals.
 * Exposure policies only (no downloads: the walk is the work), box-sim latency so a pass lasts seconds.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { tsToMs } from '@temporalio/common/lib/time';
import { workflowIds } from '../../common/workflow-ids';
import type { FileTruth } from '../../box-sim/ground-truth';
import { prioritizeSignal, progressQuery } from '../../workflows/scan-files-messages';
import { clickThroughConsent } from '../helpers/box-consent';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { createLocalEnv } from '../helpers/temporal-env';
import { eventually } from '../helpers/eventually';
import { DIALECTS, createTestDatabase } from '../helpers/stores';

const LATENCY_MS = 150;

/** The exposure finding box-sim's truth calls for, if any (public wins over external). */
function expectedExposure(t: FileTruth): string | undefined {
  if (t.sharedLinkAccess === 'open') return 'exposure-public-link';
  if (t.collaborators.external.length > 0) return 'exposure-external-users';
  return undefined;
}

for (const dialect of DIALECTS)
  describe(`${dialect}: scan progress from the store, with real worker processes`, () => {
    let env: TestWorkflowEnvironment;
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    let stack: ConnectStack;
    let connectorId: string;
    let dir: string;
    const workers: ChildProcess[] = [];

    /** A real worker process on the stack's task queues, store and dev server; resolves once it polls. */
    const spawnWorker = async (): Promise<ChildProcess> => {
      const { child } = await spawnWorkerProcess(stack, env.address, {
        POLICY_FILE: join(dir, 'policies.yaml'),
      });
      workers.push(child);
      return child;
    };
    const kill = (child: ChildProcess) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });

    const db = () => stack.deps.store.db;
    /** The running or last pass as counted in the store's rows, not in any counter. */
    const storeTruth = async (pass: number) => {
      const count = async (q: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) =>
        Number((await q.executeTakeFirstOrThrow()).n);
      const filesSeen = await count(
        db()
          .selectFrom('files')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('connector_id', '=', connectorId)
          .where('walked_pass', '=', pass),
      );
      const findings = await count(
        db()
          .selectFrom('findings')
          .innerJoin('files', (j) =>
            j
              .onRef('files.connector_id', '=', 'findings.connector_id')
              .onRef('files.file_id', '=', 'findings.file_id'),
          )
          .select((eb) => eb.fn.countAll().as('n'))
          .where('findings.connector_id', '=', connectorId)
          .where('findings.status', '=', 'open')
          .where('files.walked_pass', '=', pass),
      );
      const usersDone = await count(
        db()
          .selectFrom('scan_users')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('connector_id', '=', connectorId)
          .where('pass', '=', pass)
          .where('done', '=', 1),
      );
      return { filesSeen, findings, usersDone };
    };
    const apiScan = async () => {
      const res = await stack.call('GET', `/api/connectors/${connectorId}`);
      expect(res.status).toBe(200);
      return res.json.scan as Record<string, any>;
    };
    const scanHandle = () => stack.temporal.workflow.getHandle(workflowIds.scan(connectorId));
    /** Scan steps running now (pending activities a worker has started). */
    const runningSteps = async () =>
      ((await scanHandle().describe()).raw.pendingActivities ?? []).filter(
        (a) => String(a.state) === 'PENDING_ACTIVITY_STATE_STARTED' || Number(a.state) === 2,
      );
    /** A scan step on its second or later attempt, started (nothing fails here but a killed worker). */
    const retriedStep = (a: {
      activityType?: { name?: string | null } | null;
      attempt?: number | null;
      lastStartedTime?: unknown;
    }) => a.activityType?.name === 'walkUsers' && (a.attempt ?? 1) > 1 && !!a.lastStartedTime;
    const truthTotals = () => {
      const active = [...stack.sim.manifest.files({ activeOnly: true })];
      const exposures = new Map<string, string>();
      for (const t of active) {
        const e = expectedExposure(t);
        if (e) exposures.set(t.id, e);
      }
      return { files: active.length, exposures };
    };
    const openFindings = async () =>
      new Map(
        (
          await db()
            .selectFrom('findings')
            .select(['file_id', 'policy_id'])
            .where('connector_id', '=', connectorId)
            .where('status', '=', 'open')
            .execute()
        ).map((r) => [r.file_id, r.policy_id]),
      );
    /** Waits until the pass is recorded complete, then checks the API and the store against box-sim. */
    const passMatchesTruth = async (pass: number) => {
      await eventually(
        () =>
          db()
            .selectFrom('scan_passes')
            .select('completed_at')
            .where('connector_id', '=', connectorId)
            .where('pass', '=', pass)
            .executeTakeFirst(),
        {
          what: `pass ${pass} to complete`,
          timeoutMs: 120_000,
          intervalMs: 500,
          accept: (r) => !!r?.completed_at,
        },
      );
      const truth = truthTotals();
      const scan = await apiScan();
      const inStore = await storeTruth(pass);
      expect(inStore).toEqual({
        filesSeen: truth.files,
        findings: truth.exposures.size,
        usersDone: scan.usersTotal,
      });
      expect(scan).toMatchObject({
        storedPass: pass,
        filesSeen: truth.files,
        findings: truth.exposures.size,
        usersDone: scan.usersTotal,
      });
      expect(Object.fromEntries(await openFindings())).toEqual(Object.fromEntries(truth.exposures));
      expect(truth.exposures.size).toBeGreaterThan(5);
    };
    /** Waits until the store holds part of the pass's files (the pass is mid-way). */
    const midPass = (pass: number) =>
      eventually(() => storeTruth(pass), {
        what: `pass ${pass} under way in the store`,
        timeoutMs: 90_000,
        intervalMs: 100,
        accept: (t) => t.filesSeen >= truthTotals().files * 0.2,
      });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'scan-progress-'));
      writeFileSync(
        join(dir, 'policies.yaml'),
        'version: 1\ntemplates: [exposure-public-link, exposure-external-users]\n',
      );
      env = await createLocalEnv();
      if (dialect === 'postgres') database = await createTestDatabase();
      stack = await startConnectStack({
        env,
        noWorker: true,
        ...(database && { settings: { DATABASE_URL: database.url } }),
        sim: { seed: 5, users: 5, files: 400, rateLimitPerMinute: 0, webhookRetryDelaysMs: [] },
      });
      await spawnWorker();
      const created = await stack.call('POST', '/api/connectors', {
        instanceName: 'Progress',
        dataCenter: 'US1',
      });
      connectorId = (created.json as { id: string }).id;
      const redirect = await clickThroughConsent(
        (created.json as { authorizeUrl: string }).authorizeUrl,
        stack.sim.manifest.admin.login,
      );
      // Slow Box from here: a pass then lasts seconds, and a kill lands mid-step.
      stack.sim.control.setLatency(LATENCY_MS);
      await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    }, 180_000);
    afterAll(async () => {
      await Promise.all(workers.map(kill));
      await stack?.close();
      await env?.teardown();
      await database?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('a worker killed mid-step: the API shows what the store holds, the step is retried within 30 s, the pass is exact', async () => {
      await midPass(1);
      await eventually(runningSteps, {
        what: 'a scan step running',
        timeoutMs: 30_000,
        intervalMs: 50,
        accept: (a) => a.some((x) => x.activityType?.name === 'walkUsers'),
      });
      await kill(workers[0]!);
      const killedAt = Date.now();

      // Nothing runs: the API's figures are the store's rows.
      const frozen = await storeTruth(1);
      expect(frozen.filesSeen).toBeLessThan(truthTotals().files);
      const started = Date.now();
      const scan = await apiScan();
      const apiMs = Date.now() - started;
      expect(scan).toMatchObject({ storedPass: 1, ...frozen, inspected: frozen.filesSeen, live: false });
      expect(apiMs).toBeLessThan(10_000);

      await spawnWorker();
      const workerUpMs = Date.now() - killedAt;
      // The retry of a killed step: its attempt > 1 started, as the server saw it.
      const retried = await eventually(runningSteps, {
        what: 'a killed step retried',
        timeoutMs: 60_000,
        intervalMs: 100,
        accept: (a) => a.some(retriedStep),
      });
      const retryMs = tsToMs(retried.find(retriedStep)!.lastStartedTime) - killedAt;
      console.log(
        `kill -> retry started ${retryMs} ms (second worker polling after ${workerUpMs} ms); API answered in ${apiMs} ms with no worker`,
      );
      expect(retryMs).toBeGreaterThan(0);
      expect(retryMs).toBeLessThan(30_000);

      stack.sim.control.setLatency(0);
      await passMatchesTruth(1);
      // The workflow's own figures agree once the pass is recorded.
      const query = await scanHandle().query(progressQuery);
      expect(query.pass).toBe(2);
      stack.sim.control.setLatency(LATENCY_MS);
    }, 240_000);

    it('every token rejected mid-pass: the API shows what the store holds; after a new authorization the pass is exact', async () => {
      expect((await stack.call('POST', `/api/connectors/${connectorId}/rescan`)).status).toBe(202);
      await midPass(2);
      stack.sim.control.removeApp();
      await eventually(async () => (await stack.call('GET', `/api/connectors/${connectorId}`)).json, {
        what: 'the connector to need a new authorization and the scan to pause',
        timeoutMs: 60_000,
        intervalMs: 200,
        accept: (c) => c?.status === 'NeedsReauthorization' && c?.scan?.state === 'paused',
      });
      // Every step has failed and nothing runs: the store is still; the API shows exactly it.
      await eventually(runningSteps, {
        what: 'no scan step running',
        timeoutMs: 30_000,
        intervalMs: 100,
        accept: (a) => a.length === 0,
      });
      const frozen = await storeTruth(2);
      expect(frozen.filesSeen).toBeLessThan(truthTotals().files);
      const scan = await apiScan();
      expect(scan).toMatchObject({ state: 'paused', storedPass: 2, ...frozen, live: true });
      const query = await scanHandle().query(progressQuery);
      console.log(
        `token rejected: store ${frozen.filesSeen} files, API ${scan.filesSeen}, workflow's own counters ${query.filesSeen}`,
      );

      const again = await stack.call('POST', `/api/connectors/${connectorId}/authorize`);
      expect(again.status).toBe(200);
      stack.sim.control.setLatency(0);
      const redirect = await clickThroughConsent(
        again.json.authorizeUrl as string,
        stack.sim.manifest.admin.login,
      );
      await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
      await passMatchesTruth(2);

      // Priority rescans: counted in the store with their results, and shown from there.
      const storedPriority = async () =>
        Number(
          (
            await db()
              .selectFrom('scan_passes')
              .select((eb) => eb.fn.sum<number | string>('priority_scanned').as('n'))
              .where('connector_id', '=', connectorId)
              .executeTakeFirstOrThrow()
          ).n ?? 0,
        );
      const before = await storedPriority();
      const edited = [...stack.sim.manifest.files({ activeOnly: true })].slice(0, 3);
      for (const f of edited) stack.sim.control.edit(f.id);
      const at = new Date().toISOString();
      await scanHandle().signal(prioritizeSignal, {
        files: edited.map((f) => ({
          fileId: f.id,
          ownerId: f.ownerId,
          kind: 'content' as const,
          eventType: 'FILE.UPLOADED',
          occurredAt: at,
          source: 'webhook' as const,
        })),
      });
      const seen = await eventually(
        async () => {
          const first = await storedPriority();
          const shown = (await apiScan()).priorityScanned as number;
          return { first, shown, last: await storedPriority() };
        },
        {
          what: 'the priority rescans counted in the store and shown by the API',
          timeoutMs: 30_000,
          intervalMs: 200,
          accept: (v) => v.first >= before + edited.length && v.first === v.last && v.shown === v.first,
        },
      );
      expect(seen.shown).toBeGreaterThanOrEqual(before + edited.length);
    }, 240_000);
  });
