/**
 * The scan end to end: `npm run bench -- scan [--files 10000] [--users files/100] [--samples-every-ms 1500]
 *   [--user-concurrency 4]`.
 * box-sim in its own process (so its CPU and memory are not the worker's), the Temporal dev server, and a
 * real worker in this process: the lead's scanFiles workflow on the main queue, createScanActivities on
 * the scan and priority queues, a SQLite file store. It runs a full pass, then an unchanged pass
 * (rescanNow), and prints files/s of the full pass, Box API calls per file (box-sim's stats) of both,
 * history events per 1,000 files walked (every run of the continue-as-new chain), the worker's peak RSS, and
 * the priority-lane latency: during the full pass a file is edited through box-sim's control API every
 * `samples-every-ms` (0: none), a `prioritize` signal sent, and the time until its new sha1 is stored is measured.
 * box-sim's rate limit is off: this measures connect-box, not Box's quota.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createScanActivities } from '../activities/scan-activities';
import { BoxClientPool } from '../box/box-client-pool';
import { exchangeAuthorizationCode } from '../box/box-connection';
import { TokenCipher } from '../box/token-cipher';
import { TokenVault } from '../box/token-vault';
import { workflowIds } from '../common/workflow-ids';
import type { Config } from '../config/config';
import { BoxTokensRepository } from '../store/box-tokens-repository';
import { openStore } from '../store/database';
import { InventoryRepository } from '../store/inventory-repository';
import { ScanWorkRepository } from '../store/scan-work-repository';
import { createLocalEnv } from '../test/helpers/temporal-env';
import { scanFiles, stackProbe } from '../workflows';
import { prioritizeSignal, progressQuery, rescanNowSignal } from '../workflows/scan-files-messages';
import { printFigures, printTable } from './report';
import { startSimProcess } from './lib/sim-process';
import { buildWorkflowBundle, simConsentCode } from './lib/bench-setup';
import { childCpuSeconds } from './lib/process-cpu';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
/** What the benches read of box-sim's `GET /_sim/stats` (box-sim/realism.ts). */
export interface SimStats {
  total: number;
  byEndpoint: Record<string, number>;
  byUser: Record<string, number>;
  byUserSpan: Record<string, { first: number; last: number; activeMs: number }>;
  rateLimited: number;
  rateLimitedAt: number[];
}

const QUEUES = { main: 'bench-scan-main', scan: 'bench-scan-bulk', priority: 'bench-scan-priority' };
const CONTENT = 'GET /2.0/files/:id/content';
const FIRST_FILE_ID = 1_000_000_000_000; // box-sim's file ids: this + index

let runtimeInstalled = false;

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  const { figures, rows } = await measureScan(options);
  printTable(rows);
  printFigures(figures);
}

export type SimProcess = Awaited<ReturnType<typeof startSimProcess>>;
type Row = { figure: string; value: number | string };

/**
 * The scan bench's runs and figures: on `given` box-sim (left running) or on one of its own with
 * `options.files` files and `options.users` users.
 */
export async function measureScan(
  options: Record<string, string>,
  given?: SimProcess,
): Promise<{
  figures: Record<string, number | string>;
  rows: Row[];
  /** box-sim's counters over the full pass, and when the pass started (ms since the epoch). */
  fullPass: { stats: SimStats; startedAt: number };
}> {
  // Once per process: a bench may measure several scans (bench/rate-budget.ts).
  if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
  const files = Number(options.files ?? 10_000);
  const users = Number(options.users ?? Math.max(10, Math.round(files / 100)));
  const sampleEveryMs = Number(options['samples-every-ms'] ?? 1500);
  const userConcurrency = Number(options['user-concurrency'] ?? 4);
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-scan-'));
  const sim = given ?? (await startSimProcess(files, users));
  const env = await createLocalEnv();
  const store = await openStore(`sqlite:${join(dir, 'store.sqlite')}`);
  let peakRss = 0;
  const rssSamples: Array<{ at: number; rss: number }> = [];
  const rssTimer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    rssSamples.push({ at: performance.now(), rss });
  }, 250);
  const workers: Worker[] = [];
  let running: Array<Promise<void>> = [];
  try {
    const manifest = (await sim.get('/_sim/manifest')) as { users: Array<{ login: string; role: string }> };
    const admin = manifest.users.find((u) => u.role === 'admin')!;
    const config: Pick<Config, 'box'> = {
      box: {
        apiBaseUrl: sim.baseUrl,
        uploadBaseUrl: `${sim.baseUrl}/upload`,
        authorizeUrl: `${sim.baseUrl}/api/oauth2/authorize`,
        apps: { US1: { clientId: 'box-sim-client-id', clientSecret: 'box-sim-client-secret' } },
        webhookPrimaryKey: 'box-sim-primary-key',
      },
    };
    const vault = new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(randomBytes(32)));
    const connectorId = `bench-${randomBytes(3).toString('hex')}`;
    await exchangeAuthorizationCode({
      config,
      dataCenter: 'US1',
      connectorId,
      vault,
      code: await simConsentCode(sim.baseUrl, admin.login),
    });
    const policyFile = join(dir, 'policies.yaml');
    if (options.policies === 'exposure')
      writeFileSync(policyFile, 'version: 1\ntemplates: [exposure-public-link, exposure-external-users]\n');
    const activities = createScanActivities({
      config: { policies: options.policies === 'exposure' ? { file: policyFile } : {} },
      store,
      // `--pace N`: each Box user's calls paced to N a minute (BOX_USER_CALLS_PER_MINUTE); default none.
      clients: new BoxClientPool({
        config: { box: { ...config.box, userCallsPerMinute: Number(options.pace ?? 0) } },
        vault,
      }),
    });
    // As a production worker: the workflow bundle built beforehand in another process (webpack's memory
    // is not the worker's), loaded from its file.
    const bundlePath = buildWorkflowBundle(join(dir, 'workflow-bundle.js'));
    workers.push(
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue: QUEUES.main,
        workflowBundle: { codePath: bundlePath },
      }),
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue: QUEUES.scan,
        activities,
        maxConcurrentActivityTaskExecutions: 8,
      }),
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue: QUEUES.priority,
        activities,
        maxConcurrentActivityTaskExecutions: 4,
      }),
    );
    running = workers.map((w) => w.run());

    const parent = await env.client.workflow.start(stackProbe, {
      taskQueue: QUEUES.main,
      workflowId: workflowIds.connector(connectorId),
    });
    await sim.post('/_sim/stats/reset');
    const rssAtStart = process.memoryUsage().rss;
    const cpuRoots = { sim: sim.process.pid! };
    const cpuAtStart = { worker: process.cpuUsage(), others: childCpuSeconds(cpuRoots) };
    const started = performance.now();
    const startedAt = Date.now();
    const handle = await env.client.workflow.start(scanFiles, {
      taskQueue: QUEUES.main,
      workflowId: workflowIds.scan(connectorId),
      args: [
        {
          connectorId,
          dataCenter: 'US1',
          scope: 'allUsers',
          rescanIntervalMs: 30 * 86_400_000,
          taskQueues: QUEUES,
          parentWorkflowId: parent.workflowId,
          userConcurrency,
        },
      ],
    });

    // Priority samples during the full pass: edit a random file, signal, time until its sha1 is stored.
    const latencies: number[] = [];
    const pending = new Map<string, { sha1: string; t0: number }>();
    let sampling = sampleEveryMs > 0; // `--samples-every-ms 0`: no samples
    let k = 0;
    const sampler = (async () => {
      while (sampling) {
        await sleep(sampleEveryMs);
        if (!sampling) break;
        const fileId = String(FIRST_FILE_ID + Math.floor(Math.random() * files));
        const text = `Payroll correction ${k++}\nSSN: 536-22-8741\n`;
        const edited = await sim.post(`/_sim/files/${fileId}/edit`, { text }).catch(() => undefined);
        if (!edited) continue;
        const truth = (await sim.get(`/_sim/manifest/files/${fileId}`)) as { ownerId: string; sha1: string };
        const sha1 = createHash('sha1').update(text).digest('hex');
        if (truth.sha1 !== sha1) throw new Error(`box-sim sha1 of ${fileId} is not the edited text's`);
        pending.set(fileId, { sha1, t0: performance.now() });
        await handle.signal(prioritizeSignal, {
          files: [
            {
              fileId,
              ownerId: truth.ownerId,
              kind: 'content',
              eventType: 'FILE.UPLOADED',
              occurredAt: new Date().toISOString(),
              source: 'webhook',
            },
          ],
        });
      }
    })();
    const poller = (async () => {
      while (sampling || pending.size > 0) {
        await sleep(20);
        if (pending.size === 0) continue;
        const rows = await store.db
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

    const firstPass = await waitForPass(handle, 1);
    const fullSeconds = (performance.now() - started) / 1000;
    // The worker's peak RSS in each quarter of the full pass: flat, or growing with the files walked.
    const quarterPeaksMb = [0, 1, 2, 3].map((q) => {
      const from = started + (q * fullSeconds * 1000) / 4;
      const to = started + ((q + 1) * fullSeconds * 1000) / 4;
      const inQuarter = rssSamples.filter((x) => x.at >= from && x.at < to).map((x) => x.rss);
      return Math.round(Math.max(0, ...inQuarter) / 2 ** 20);
    });
    rssSamples.length = 0;
    const workerCpu = process.cpuUsage(cpuAtStart.worker);
    const othersCpu = childCpuSeconds(cpuRoots);
    const cpuOf = (kind: string) => (othersCpu[kind] ?? 0) - (cpuAtStart.others[kind] ?? 0);
    const workerCpuSeconds = (workerCpu.user + workerCpu.system) / 1e6;
    sampling = false;
    await sampler;
    await Promise.race([poller, sleep(60_000)]);
    const fullStats = (await sim.get('/_sim/stats')) as SimStats;

    await sim.post('/_sim/stats/reset');
    const secondStarted = performance.now();
    await handle.signal(rescanNowSignal);
    const secondPass = await waitForPass(handle, 2);
    const unchangedSeconds = (performance.now() - secondStarted) / 1000;
    const unchangedStats = (await sim.get('/_sim/stats')) as SimStats;

    const history = await chainHistory(handle);
    const inventoryFiles = await new InventoryRepository(store.db).count(connectorId);
    const storedPass = await new ScanWorkRepository(store.db).getPass(connectorId, 1);
    await handle.terminate('benchmark done');
    await parent.terminate('benchmark done');
    const walked = firstPass.filesSeen + secondPass.filesSeen;
    const sorted = [...latencies].sort((a, b) => a - b);
    const pct = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
    const figures = {
      files: firstPass.filesSeen,
      inventoryFiles,
      storePassFilesSeen: storedPass?.files_seen ?? 0,
      users,
      fullPassSeconds: round(fullSeconds),
      filesPerSecond: round(firstPass.filesSeen / fullSeconds),
      cpuSecondsWorkerFullPass: round(workerCpuSeconds),
      workerCpuMsPerFile: round((workerCpuSeconds * 1000) / firstPass.filesSeen, 3),
      filesPerWorkerCpuSecond: round(firstPass.filesSeen / workerCpuSeconds),
      cpuSecondsBoxSimFullPass: round(cpuOf('sim')),
      cpuSecondsTemporalServerFullPass: round(cpuOf('others')),
      loadAverageAtStart: round(loadAtStart),
      inspected: firstPass.inspected,
      findingsOpen: firstPass.findings,
      apiCallsPerFileFullPass: round(fullStats.total / firstPass.filesSeen, 4),
      downloadsFullPass: fullStats.byEndpoint[CONTENT] ?? 0,
      unchangedPassSeconds: round(unchangedSeconds),
      apiCallsPerFileUnchangedPass: round(unchangedStats.total / secondPass.filesSeen, 4),
      downloadsUnchangedPass: unchangedStats.byEndpoint[CONTENT] ?? 0,
      historyEvents: history.events,
      workflowRuns: history.runs,
      historyEventsMostInOneRun: history.mostInOneRun,
      historyEventsPer1000Files: round((history.events / walked) * 1000),
      workerRssAtStartMb: round(rssAtStart / 2 ** 20),
      workerPeakRssMb: round(peakRss / 2 ** 20),
      workerPeakRssMbByQuarterOfFullPass: quarterPeaksMb.join('/'),
      prioritySamples: sorted.length,
      priorityLatencyMsP50: round(pct(50)),
      priorityLatencyMsP95: round(pct(95)),
      priorityLatencyMsP99: round(pct(99)),
      policies: options.policies ?? 'templates',
      cores: cpus().length,
      node: process.version,
    };
    const rows: Row[] = [
      { figure: 'files (full pass, seen)', value: figures.files },
      { figure: 'files in the inventory (store)', value: inventoryFiles },
      { figure: 'files seen in pass 1 (store)', value: figures.storePassFilesSeen },
      { figure: 'users', value: users },
      { figure: 'full pass, seconds', value: figures.fullPassSeconds },
      { figure: 'full pass, files/s', value: figures.filesPerSecond },
      {
        figure: 'full pass, CPU s: worker (this process, threads included)',
        value: figures.cpuSecondsWorkerFullPass,
      },
      { figure: 'full pass, worker CPU ms per file', value: figures.workerCpuMsPerFile },
      { figure: 'full pass, files per worker CPU second', value: figures.filesPerWorkerCpuSecond },
      { figure: 'full pass, CPU s: box-sim', value: figures.cpuSecondsBoxSimFullPass },
      { figure: 'full pass, CPU s: Temporal dev server', value: figures.cpuSecondsTemporalServerFullPass },
      { figure: 'load average (1 min) before the run', value: figures.loadAverageAtStart },
      { figure: 'full pass, files inspected', value: figures.inspected },
      { figure: 'full pass, Box API calls per file', value: figures.apiCallsPerFileFullPass },
      { figure: 'full pass, downloads', value: figures.downloadsFullPass },
      { figure: 'unchanged pass, seconds', value: figures.unchangedPassSeconds },
      { figure: 'unchanged pass, Box API calls per file', value: figures.apiCallsPerFileUnchangedPass },
      { figure: 'unchanged pass, downloads', value: figures.downloadsUnchangedPass },
      { figure: 'history events (all runs, both passes)', value: figures.historyEvents },
      { figure: 'workflow runs (continue-as-new chain)', value: figures.workflowRuns },
      { figure: 'history events of the longest run', value: figures.historyEventsMostInOneRun },
      { figure: 'history events per 1,000 files walked', value: figures.historyEventsPer1000Files },
      { figure: 'worker RSS when the scan starts, MB', value: figures.workerRssAtStartMb },
      { figure: 'worker peak RSS, MB (this process)', value: figures.workerPeakRssMb },
      {
        figure: 'worker peak RSS by quarter of the full pass, MB',
        value: figures.workerPeakRssMbByQuarterOfFullPass,
      },
      { figure: 'priority samples during the full pass', value: figures.prioritySamples },
      { figure: 'priority latency p50, ms (signal to stored)', value: figures.priorityLatencyMsP50 },
      { figure: 'priority latency p95, ms', value: figures.priorityLatencyMsP95 },
      { figure: 'priority latency p99, ms', value: figures.priorityLatencyMsP99 },
    ];
    return { figures, rows, fullPass: { stats: fullStats, startedAt } };
  } finally {
    clearInterval(rssTimer);
    for (const w of workers) w.shutdown();
    await Promise.allSettled(running);
    await env.teardown().catch(() => undefined);
    await store.close();
    if (!given) sim.process.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls the progress query until pass `pass` has completed; returns the pass's counts. */
async function waitForPass(handle: WorkflowHandle, pass: number) {
  for (;;) {
    const p = await handle.query(progressQuery);
    if (p.pass > pass && p.lastPassCompletedAt && p.state !== 'scanning') {
      return { filesSeen: p.filesSeen, inspected: p.inspected, findings: p.findings };
    }
    await sleep(500);
  }
}

/** History events over every run of the workflow's continue-as-new chain. */
async function chainHistory(
  handle: WorkflowHandleWithFirstExecutionRunId,
): Promise<{ events: number; runs: number; mostInOneRun: number }> {
  let runId: string | undefined = handle.firstExecutionRunId;
  let events = 0;
  let runs = 0;
  let mostInOneRun = 0;
  while (runId) {
    const history: History = await handle.client.getHandle(handle.workflowId, runId).fetchHistory();
    const list = history.events ?? [];
    events += list.length;
    mostInOneRun = Math.max(mostInOneRun, list.length);
    runs++;
    runId =
      list[list.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { events, runs, mostInOneRun };
}

/** An authorization code from box-sim's consent form, as a browser gets it. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
