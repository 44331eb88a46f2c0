/**
 * Webhooks across a whole full pass: `npm run bench -- webhooks [--files 100000] [--users files/500]
 *   [--samples 500] [--burst-rate 20000] [--burst-deliveries 0] [--burst-files 2000] [--max-in-flight 1000]
 *   [--signal-interval-ms <config default>] [--signal-window 20000] [--worker-queues main,scan,priority]
 *   [--walk-nice 10] [--sim-nice 10] [--database-url sqlite-file-in-a-temp-dir]`.
 *
 * As deployed: the API (api/main.ts) and the workers (workers/main.ts) in processes of their own, one per
 * `--worker-queues` entry ('/' between processes, each its WORKER_TASK_QUEUES; a process of queue `scan`
 * only runs at nice `--walk-nice`), box-sim in its own process (its webhook deliveries travel over HTTP to
 * the API) at nice `--sim-nice` (it stands for Box, whose CPU is not the connector's: at a lower priority
 * it takes what the connector leaves), the Temporal dev server; this process sends the burst and reads the
 * store (a SQLite file unless `--database-url`) and the histories (through the processes' payload codec).
 * The connector is authorized through box-sim's consent form; once connectBox has registered its
 * webhooks, and until its first full pass completes (the store's pass record):
 * - latency: `samples` edits spread over the pass by its progress (sample k once the pass has seen k/samples
 *   of the files), alternating between files of users the pass has already walked and of users it has not
 *   reached yet (the store's scan_users rows), each a file below a watched folder not used by the burst.
 *   box-sim sends the signed FILE.UPLOADED delivery at once; the time from the edit to the file's new sha1 in
 *   the store (priority lane, or the walk when it got there first) is the webhook-to-result latency;
 * - burst, at the same time: signed FILE.UPLOADED deliveries of `burst-files` OTHER watched files, sent by the
 *   benchmark at `burst-rate` deliveries per minute on a fixed schedule (open loop: a slow answer does not
 *   slow the schedule; at most `max-in-flight` unanswered), from the first sample until the pass completes
 *   (or `burst-deliveries` were sent, when above 0). Every answer is counted by HTTP and body status; from the
 *   connector's histories (every run of its continue-as-new chain) come the fileActivity signals and the
 *   events they carried while the burst ran: signals per 1,000 deliveries, over the whole burst and over its
 *   first `signal-window` deliveries (the issue's 20,000-delivery burst).
 * Each sample rescanned by the priority lane is broken into stages from the histories (edit to fileActivity
 * signal, routing to the scan, batch scheduled, started, completed, seen by the poller), with the workflow
 * tasks' wait and run times of connectBox and the scan. Wall time is printed with the CPU seconds of each
 * worker process, the API process, this one (the burst and the pollers), box-sim and the Temporal dev
 * server (this process's other children), and the load average before and after.
 * The full figures (100,000 files) take about 35-50 minutes on 2 quiet cores; `--files 2000 --samples 50`
 * proves the bench in a few minutes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { boxSignature } from '../api/webhook-signature';
import { workflowIds } from '../common/workflow-ids';
import { loadConfig } from '../config/config';
import { payloadCodecOf, temporalDataConverter } from '../config/payload-codec';
import { openStore, type Store } from '../store/database';
import type { FileEvent } from '../domain/file-event';
import { ScanWorkRepository } from '../store/scan-work-repository';
import { WebhooksRepository } from '../store/webhooks-repository';
import { clickThroughConsent } from '../test/helpers/box-consent';
import { eventually } from '../test/helpers/eventually';
import { createLocalEnv } from '../test/helpers/temporal-env';
import { progressQuery } from '../workflows/scan-files-messages';
import { childCpuSeconds } from './lib/process-cpu';
import { printFigures, printTable } from './report';
import { productSettings, startProductProcess, type ProductProcess } from './lib/product-processes';
import { freePort, startSimProcess } from './lib/sim-process';

const PRIMARY_KEY = 'box-sim-primary-key';

interface SimFile {
  id: string;
  ownerId: string;
  path: string;
}

interface Sample {
  fileId: string;
  /** Whether the pass had walked the file's owner when the file was edited. */
  owner: 'walked' | 'ahead';
  /** Share of the pass's files seen when the file was edited. */
  progress: number;
  sha1: string;
  t0: number;
  /** Wall clock of the edit (history timestamps are wall-clock). */
  editedAt: number;
  latencyMs?: number;
}

/** Reads a positive integer option (0 allowed when `zero`); anything else is a clear error. */
function intOption(options: Record<string, string>, name: string, fallback: number, zero = false): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (zero ? 0 : 1))
    throw new Error(`--${name} must be a ${zero ? 'non-negative' : 'positive'} integer, not '${raw}'`);
  return n;
}

const KNOWN_OPTIONS = [
  'files',
  'users',
  'samples',
  'burst-rate',
  'burst-deliveries',
  'burst-files',
  'max-in-flight',
  'signal-interval-ms',
  'signal-window',
  'database-url',
  'worker-queues',
  'walk-nice',
  'sim-nice',
];

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.includes(k));
  if (unknown.length > 0)
    throw new Error(
      `unknown option(s) ${unknown.map((k) => `--${k}`).join(', ')}; known: ${KNOWN_OPTIONS.join(', ')}`,
    );
  const files = intOption(options, 'files', 100_000);
  // 100,000 files / 200 users as in the earlier runs (1,000 users made the API test fail: docs/webhooks.md).
  const users = intOption(options, 'users', Math.max(10, Math.round(files / 500)));
  const samples = intOption(options, 'samples', 500);
  const burstRate = intOption(options, 'burst-rate', 20_000, true);
  const burstLimit = intOption(options, 'burst-deliveries', 0, true);
  const burstFiles = intOption(options, 'burst-files', 2000);
  const maxInFlight = intOption(options, 'max-in-flight', 1000);
  // The issue's signal figure: signals per 1,000 deliveries in a 20,000-delivery burst (its first ones).
  const signalWindow = intOption(options, 'signal-window', 20_000);
  const signalIntervalMs =
    options['signal-interval-ms'] === undefined
      ? undefined
      : intOption(options, 'signal-interval-ms', 0, true);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const loadBefore = loadavg();
  const wallStartedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-webhooks-'));
  // box-sim stands for Box: --sim-nice (default 10) lowers its CPU priority (see startSimProcess).
  const simNice = intOption(options, 'sim-nice', 10, true);
  const sim = await startSimProcess(files, users, [], { nice: simNice });
  const apiPort = await freePort();
  const env = await createLocalEnv();
  const settings: Record<string, string> = {
    ...productSettings({
      databaseUrl: options['database-url'] ?? `sqlite:${join(dir, 'store.sqlite')}`,
      simBaseUrl: sim.baseUrl,
      temporalAddress: env.address,
      apiPort,
      queuePrefix: 'bench-webhooks',
    }),
    ...(signalIntervalMs !== undefined && { WEBHOOK_SIGNAL_INTERVAL_MS: String(signalIntervalMs) }),
  };
  const config = loadConfig({ ...settings, LOG_LEVEL: 'warn' });
  // The API and the worker in processes of their own, as deployed: the burst's HTTP load and this
  // process's pollers do not share an event loop with the workflows and the scan.
  // Worker processes by the task queues each polls (WORKER_TASK_QUEUES): '/' between processes.
  const workerQueues = (options['worker-queues'] ?? 'main,scan,priority').split('/');
  const workers: ProductProcess[] = [];
  // A process that only walks (queue scan) does background work: --walk-nice lowers its CPU priority.
  const walkNice = intOption(options, 'walk-nice', 10, true);
  for (const queues of workerQueues)
    workers.push(
      await startProductProcess(
        'worker',
        { ...settings, WORKER_TASK_QUEUES: queues },
        { nice: queues === 'scan' ? walkNice : 0 },
      ),
    );
  const apiProcess = await startProductProcess('api', settings);
  // The store as the processes see it (the same SQLite file), for the samples and the pass record.
  const store = await openStore(config.databaseUrl);
  // Payloads travel encrypted (the processes' codec): this client decodes them as the Web UI would.
  const temporal = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter: temporalDataConverter(config),
  });
  const codec = payloadCodecOf(config);
  const decode = async <T>(payload: unknown): Promise<T> =>
    defaultPayloadConverter.fromPayload<T>((await codec.decode([payload as never]))[0]!);
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const bearer = { authorization: `Bearer ${config.api.token}` };
  const callApi = async <T>(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<T> => {
    const res = await fetch(`${apiBase}${path}`, {
      method,
      headers: { ...bearer, ...(payload !== undefined && { 'content-type': 'application/json' }) },
      ...(payload !== undefined && { body: JSON.stringify(payload) }),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  // One socket per delivery in flight: an answer's time is the receiver's, not a queue in this agent.
  let report: (() => void) | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight + 8 });
  try {
    // Connect through the API and box-sim's consent page, as an admin would.
    const created = await callApi<{ id: string; authorizeUrl: string }>('POST', '/api/connectors', {
      instanceName: 'Bench',
      dataCenter: 'US1',
    });
    const connectorId = created.id;
    const manifest = (await sim.get('/_sim/manifest')) as { users: Array<{ login: string; role: string }> };
    const admin = manifest.users.find((u) => u.role === 'admin')!;
    const redirect = await clickThroughConsent(created.authorizeUrl, admin.login);
    await fetch(`${apiBase}${redirect.pathname}${redirect.search}`).then((r) => r.text());
    // Connected, its scan started, and connectBox's first webhook registration done.
    const status = await eventually(
      () =>
        callApi<{
          status: string;
          details?: { webhooks?: { folders: number; checkedAt: string; problem?: string } };
        }>('GET', `/api/connectors/${connectorId}`),
      {
        what: 'the connector Connected with its webhooks registered',
        timeoutMs: 1_800_000,
        intervalMs: 200,
        accept: (s) =>
          s.status === 'Connected'
            ? s.details?.webhooks?.checkedAt !== undefined
            : !['AwaitingAuthorization', 'Authorizing', 'RunningApiTest'].includes(s.status),
      },
    );
    if (status.status !== 'Connected') throw new Error(`the connector ended ${status.status}`);
    if (status.details?.webhooks?.problem) throw new Error(status.details.webhooks.problem);
    const webhookFolders = status.details!.webhooks!.folders;
    const hooks = await new WebhooksRepository(store.db).list(connectorId);
    const hookOf = new Map(hooks.map((h) => [h.user_id, h.webhook_id]));
    const passes = new ScanWorkRepository(store.db);

    // Every file below a watched folder (a file in a root is watched by no webhook): one in ten goes to the
    // burst (up to burst-files), the others are the samples' by owner.
    const burstSet: SimFile[] = [];
    const sampleFilesOf = new Map<string, SimFile[]>();
    let activeFiles = 0;
    for (let offset = 0; ; offset += 5000) {
      const page = (await sim.get(`/_sim/manifest/files?offset=${offset}&limit=5000&activeOnly=true`)) as {
        entries: SimFile[];
      };
      activeFiles += page.entries.length;
      for (const f of page.entries) {
        if (f.path.split('/').length <= 2 || !hookOf.has(f.ownerId)) continue;
        if (Number(f.id) % 10 === 0 && burstSet.length < burstFiles) burstSet.push(f);
        else {
          const list = sampleFilesOf.get(f.ownerId) ?? [];
          if (list.length === 0) sampleFilesOf.set(f.ownerId, list);
          list.push(f);
        }
      }
      if (page.entries.length < 5000) break;
    }
    if (burstRate > 0 && burstSet.length === 0) throw new Error('no watched file left for the burst');
    if (sampleFilesOf.size === 0) throw new Error('no file below a watched folder for the samples');

    const atStart = (await eventually(() => passes.progress(connectorId), {
      what: 'the first pass recorded in the store',
      timeoutMs: 600_000,
      intervalMs: 200,
      accept: (p) => p !== undefined,
    }))!;
    const passStartedAt = Date.parse(atStart.startedAt);
    // The scan starts before connectBox registers the webhooks: the samples spread over what is left.
    const progressAtStart = Math.min(0.99, atStart.filesSeen / activeFiles);
    const phaseStarted = Date.now();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const cpuAtPhase = process.cpuUsage();
    const cpuRoots: Record<string, number> = { sim: sim.process.pid!, api: apiProcess.pid };
    workers.forEach((w, k) => (cpuRoots[`worker${k}`] = w.pid));
    const childCpuAtPhase = childCpuSeconds(cpuRoots);
    let passDone = false;
    let passCompletedAt = 0;

    // Latency samples, taken by the pass's progress.
    const taken: Sample[] = [];
    const pending = new Map<string, Sample>();
    const used = new Set<string>();
    let flip = 0;
    const sampler = (async () => {
      while (!passDone && taken.length < samples) {
        const p = await passes.progress(connectorId);
        if (p?.completedAt) break;
        const progress = Math.min(1, (p?.filesSeen ?? 0) / activeFiles);
        // Sample k once the pass has covered k/samples of what remained when the webhooks were ready.
        if (taken.length > ((progress - progressAtStart) / (1 - progressAtStart)) * samples) {
          await sleep(50);
          continue;
        }
        const owners = await ownerStates(store.db, connectorId, p?.pass ?? 1);
        const wanted: Sample['owner'] = flip++ % 2 === 0 ? 'ahead' : 'walked';
        const pick =
          pickFile(sampleFilesOf, owners[wanted], used) ??
          pickFile(sampleFilesOf, owners[wanted === 'ahead' ? 'walked' : 'ahead'], used);
        if (!pick) {
          await sleep(50);
          continue;
        }
        used.add(pick.file.id);
        const text = `Bench edit ${taken.length} ${randomUUID()}\nSSN: 536-22-8741\n`;
        const sample: Sample = {
          fileId: pick.file.id,
          owner: owners.walked.includes(pick.file.ownerId) ? 'walked' : 'ahead',
          progress,
          sha1: createHash('sha1').update(text).digest('hex'),
          t0: performance.now(),
          editedAt: Date.now(),
        };
        pending.set(sample.fileId, sample);
        taken.push(sample);
        await sim.post(`/_sim/files/${sample.fileId}/edit`, { text });
      }
    })();
    const poller = (async () => {
      for (;;) {
        await sleep(20);
        if (pending.size === 0) {
          if (passDone) return;
          continue;
        }
        const rows = await store.db
          .selectFrom('files')
          .select(['file_id', 'scanned_sha1'])
          .where('connector_id', '=', connectorId)
          .where('file_id', 'in', [...pending.keys()])
          .execute();
        const now = performance.now();
        for (const row of rows) {
          const s = pending.get(row.file_id);
          if (s && row.scanned_sha1 === s.sha1) {
            s.latencyMs = now - s.t0;
            pending.delete(row.file_id);
          }
        }
      }
    })();

    // The burst: open loop at burstRate per minute while the pass runs.
    const statuses = new Map<string, number>();
    const answerMs: number[] = [];
    let sent = 0;
    let answered = 0;
    let inFlightPeak = 0;
    let behindPeak = 0;
    let windowEndedAt: number | undefined;
    const burstStartedAt = Date.now();
    const burst = (async () => {
      if (burstRate === 0) return;
      const everyMs = 60_000 / burstRate;
      const inFlight = new Set<Promise<void>>();
      while (!passDone && (burstLimit === 0 || sent < burstLimit)) {
        const due = Math.floor((Date.now() - burstStartedAt) / everyMs) + 1;
        behindPeak = Math.max(behindPeak, due - sent - 1);
        while (sent < due && inFlight.size < maxInFlight && (burstLimit === 0 || sent < burstLimit)) {
          const file = burstSet[sent % burstSet.length]!;
          sent++;
          const t0 = performance.now();
          const one = deliver(agent, apiPort, hookOf.get(file.ownerId)!, file)
            .catch((err: unknown) => `error:${(err as Error).message}`)
            .then((answer) => {
              answerMs.push(performance.now() - t0);
              statuses.set(answer, (statuses.get(answer) ?? 0) + 1);
              if (++answered === signalWindow) windowEndedAt = Date.now();
            });
          inFlight.add(one);
          void one.finally(() => inFlight.delete(one));
          inFlightPeak = Math.max(inFlightPeak, inFlight.size);
        }
        await sleep(Math.max(1, Math.min(20, everyMs)));
      }
      await Promise.allSettled([...inFlight]);
    })();
    let burstEndedAt = burstStartedAt;
    void burst.then(() => (burstEndedAt = Date.now()));

    // The priority lane's backlog while the pass runs (the scan's progress query, once a second).
    const scanHandle = temporal.workflow.getHandle(workflowIds.scan(connectorId));
    let priorityQueuedPeak = 0;
    const priorityScannedAtStart = (await scanHandle.query(progressQuery)).priorityScanned;
    const lanePoller = (async () => {
      while (!passDone) {
        await sleep(1000);
        const q = await scanHandle.query(progressQuery).catch(() => undefined);
        if (q) priorityQueuedPeak = Math.max(priorityQueuedPeak, q.priorityQueued);
      }
    })();

    // Until the pass completes (the store's record, committed with its last page).
    for (;;) {
      const p = await passes.progress(connectorId);
      if (p?.completedAt) {
        passCompletedAt = Date.parse(p.completedAt);
        break;
      }
      await sleep(250);
    }
    passDone = true;
    loopDelay.disable();
    const phaseSeconds = (Date.now() - phaseStarted) / 1000;
    const cpuPhase = process.cpuUsage(cpuAtPhase);
    const childCpuPhase = childCpuSeconds(cpuRoots);
    await sampler;
    await burst;
    await lanePoller;
    const priorityScanned = (await scanHandle.query(progressQuery)).priorityScanned - priorityScannedAtStart;
    await Promise.race([poller, sleep(120_000)]);
    const storedPass = (await passes.progress(connectorId))!;

    // Signals while the burst ran, from the histories. Each answer waited for the signal carrying its
    // delivery, so the last answer closes the window. The listing of the connector's runs trails a
    // continue-as-new (visibility is eventually consistent): read until every answered delivery is there.
    const accepted = statuses.get('200:signalled') ?? 0;
    const burstIds = new Set(burstSet.map((f) => f.id));
    const burstEventsOf = (list: Array<{ events: FileEvent[] }>) =>
      list.reduce((n, s) => n + s.events.filter((e) => burstIds.has(e.fileId)).length, 0);
    const signals = await eventually(() => fileActivitySignals(temporal, connectorId, decode), {
      what: 'every answered burst delivery in the histories of the connector',
      timeoutMs: 60_000,
      intervalMs: 1000,
      accept: (s) => burstEventsOf(s.list) >= accepted,
    }).catch(() => fileActivitySignals(temporal, connectorId, decode));
    const inWindow = (from: number, to: number) => {
      const within = signals.list.filter((s) => s.at >= from && s.at <= to);
      const events = within.reduce((n, s) => n + s.events.length, 0);
      return { signals: within.length, events, per1000: round((within.length / Math.max(1, events)) * 1000) };
    };
    const wholeBurst = inWindow(burstStartedAt, burstEndedAt);
    const noBurst = sent === 0;
    const firstWindow = windowEndedAt ? inWindow(burstStartedAt, windowEndedAt) : undefined;
    const burstEventsSignalled = burstEventsOf(signals.list);

    const measured = taken.filter((s) => s.latencyMs !== undefined);
    const lat = percentiles(measured.map((s) => s.latencyMs!));
    const latOf = (owner: Sample['owner']) =>
      percentiles(measured.filter((s) => s.owner === owner).map((s) => s.latencyMs!));
    const byQuarter = [0, 1, 2, 3].map((q) =>
      percentiles(
        measured.filter((s) => Math.min(3, Math.floor(s.progress * 4)) === q).map((s) => s.latencyMs!),
      ),
    );
    const answers = percentiles(answerMs);
    const stages = await latencyStages(temporal, connectorId, measured, decode);
    const cpuOf = (kind: string) => round((childCpuPhase[kind] ?? 0) - (childCpuAtPhase[kind] ?? 0));
    const devServerCpu = cpuOf('others');
    const figures = {
      files,
      activeFiles,
      users,
      webhooks: webhookFolders,
      passFilesSeen: storedPass.filesSeen,
      passUsers: storedPass.usersTotal,
      passProgressWhenWebhooksReady: round(progressAtStart, 3),
      passSeconds: round((passCompletedAt - passStartedAt) / 1000),
      setupSeconds: round((phaseStarted - wallStartedAt) / 1000),
      measuredSeconds: round(phaseSeconds),
      cpuSecondsThisProcess: round((cpuPhase.user + cpuPhase.system) / 1e6),
      cpuSecondsApi: cpuOf('api'),
      workerQueues,
      cpuSecondsWorkers: workers.map((_, k) => cpuOf(`worker${k}`)),
      cpuSecondsBoxSim: cpuOf('sim'),
      cpuSecondsTemporalServer: round(devServerCpu),
      cores: cpus().length,
      loadAverageBefore: round(loadBefore[0]!),
      loadAverageAfter: round(loadavg()[0]!),
      samplesTaken: taken.length,
      samplesMeasured: measured.length,
      samplesLost: taken.length - measured.length,
      samplesOwnerWalked: taken.filter((s) => s.owner === 'walked').length,
      samplesOwnerAhead: taken.filter((s) => s.owner === 'ahead').length,
      firstSampleAtProgress: round(taken[0]?.progress ?? NaN, 3),
      lastSampleAtProgress: round(taken[taken.length - 1]?.progress ?? NaN, 3),
      latencyMsP50: lat.p50,
      latencyMsP95: lat.p95,
      latencyMsP99: lat.p99,
      latencyMsMax: lat.max,
      latencyMsP99OwnerWalked: latOf('walked').p99,
      latencyMsP99OwnerAhead: latOf('ahead').p99,
      latencyMsP99ByQuarter: byQuarter.map((q) => q.p99),
      samplesByQuarter: byQuarter.map((q) => q.n),
      signalIntervalMs: config.api.webhookSignalIntervalMs,
      burstRatePerMinute: burstRate,
      burstFiles: burstSet.length,
      burstSeconds: round((burstEndedAt - burstStartedAt) / 1000),
      burstDeliveries: sent,
      burstDeliveriesPerMinute: round((sent / Math.max(1, burstEndedAt - burstStartedAt)) * 60_000),
      burstBehindSchedulePeak: behindPeak,
      burstInFlightPeak: inFlightPeak,
      burstAnswers: Object.fromEntries(statuses),
      burstAllSignalled: accepted === sent,
      burstAnswerMsP50: answers.p50,
      burstAnswerMsP99: answers.p99,
      burstEventsSignalled,
      burstEveryDeliveryInOneSignal: burstEventsSignalled === accepted,
      signalsDuringBurst: noBurst ? null : wholeBurst.signals,
      deliveriesSignalledDuringBurst: noBurst ? null : wholeBurst.events,
      signalsPer1000Deliveries: noBurst ? null : wholeBurst.per1000,
      signalWindow,
      signalsPer1000FirstWindow: firstWindow?.per1000 ?? null,
      eventLoopDelayMsP50: round(loopDelay.percentile(50) / 1e6),
      eventLoopDelayMsP99: round(loopDelay.percentile(99) / 1e6),
      latencyStagesMsP50: stages.p50,
      latencyStagesMsP99: stages.p99,
      priorityScannedDuringPass: priorityScanned,
      priorityQueuedPeak,
      connectorRuns: signals.runs,
      node: process.version,
    };
    // Printed once everything is shut down: nothing (a late retry's log line) follows the figures.
    report = () => {
      printTable([
        { figure: 'files in the enterprise (active) / users', value: `${files} (${activeFiles}) / ${users}` },
        { figure: 'webhooks registered (top-level folders)', value: webhookFolders },
        {
          figure: 'full pass: files seen / users',
          value: `${storedPass.filesSeen} / ${storedPass.usersTotal}`,
        },
        { figure: 'full pass, seconds (store record)', value: figures.passSeconds },
        {
          figure: 'pass progress when the webhooks were ready',
          value: figures.passProgressWhenWebhooksReady,
        },
        { figure: 'setup (sim, connect, webhooks), wall seconds', value: figures.setupSeconds },
        { figure: 'measured phase, wall seconds', value: figures.measuredSeconds },
        {
          figure: `CPU seconds: worker processes (${workerQueues.join(' / ')})`,
          value: figures.cpuSecondsWorkers.join(' / '),
        },
        { figure: 'CPU seconds: API process', value: figures.cpuSecondsApi },
        { figure: 'CPU seconds: this process (burst, pollers)', value: figures.cpuSecondsThisProcess },
        { figure: 'CPU seconds: box-sim', value: figures.cpuSecondsBoxSim },
        { figure: 'CPU seconds: Temporal dev server', value: figures.cpuSecondsTemporalServer },
        {
          figure: 'cores / load average before, after',
          value: `${figures.cores} / ${figures.loadAverageBefore}, ${figures.loadAverageAfter}`,
        },
        { figure: 'latency samples taken / measured', value: `${taken.length} / ${measured.length}` },
        {
          figure: 'samples of users walked / not reached',
          value: `${figures.samplesOwnerWalked} / ${figures.samplesOwnerAhead}`,
        },
        {
          figure: 'first / last sample at pass progress',
          value: `${figures.firstSampleAtProgress} / ${figures.lastSampleAtProgress}`,
        },
        { figure: 'samples per quarter of the pass', value: figures.samplesByQuarter.join(' / ') },
        { figure: 'latency p50, ms (edit -> sha1 stored)', value: lat.p50 },
        { figure: 'latency p95, ms', value: lat.p95 },
        { figure: 'latency p99, ms', value: lat.p99 },
        { figure: 'latency max, ms', value: lat.max },
        {
          figure: 'latency p99 per quarter of the pass, ms',
          value: figures.latencyMsP99ByQuarter.join(' / '),
        },
        ...STAGES.map((stage, i) => ({
          figure: `  stage ${stage}, ms p50 / p99`,
          value: `${stages.p50[i]} / ${stages.p99[i]}`,
        })),
        {
          figure: 'event-loop delay of this process, ms p50 / p99',
          value: `${figures.eventLoopDelayMsP50} / ${figures.eventLoopDelayMsP99}`,
        },
        { figure: 'WEBHOOK_SIGNAL_INTERVAL_MS', value: figures.signalIntervalMs },
        { figure: 'burst: deliveries / files', value: `${sent} / ${burstSet.length}` },
        {
          figure: 'burst: seconds, deliveries per minute',
          value: `${figures.burstSeconds}, ${figures.burstDeliveriesPerMinute}`,
        },
        { figure: 'burst: answers', value: JSON.stringify(figures.burstAnswers) },
        { figure: 'burst: answer p50 / p99, ms', value: `${answers.p50} / ${answers.p99}` },
        { figure: 'burst: most deliveries behind schedule', value: behindPeak },
        {
          figure: 'burst: every delivery in exactly one signal',
          value: String(figures.burstEveryDeliveryInOneSignal),
        },
        {
          figure: 'fileActivity signals / deliveries during the burst',
          value: `${wholeBurst.signals} / ${wholeBurst.events}`,
        },
        { figure: 'signals per 1,000 deliveries (whole burst)', value: noBurst ? 'n/a' : wholeBurst.per1000 },
        {
          figure: `signals per 1,000 deliveries (first ${signalWindow})`,
          value: firstWindow ? firstWindow.per1000 : 'n/a',
        },
        {
          figure: 'priority lane: files rescanned, largest backlog',
          value: `${priorityScanned}, ${priorityQueuedPeak}`,
        },
        { figure: 'connector runs (continue-as-new chain)', value: signals.runs },
      ]);
      printFigures(figures);
    };
  } finally {
    agent.destroy();
    await apiProcess.stop();
    for (const w of workers) await w.stop();
    await env.teardown().catch(() => undefined);
    await store.close();
    sim.process.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  report?.();
}

/** Users of the pass by walk state: `walked` (done), `ahead` (not started: no page listed yet). */
async function ownerStates(
  db: Store['db'],
  connectorId: string,
  pass: number,
): Promise<{ walked: string[]; ahead: string[] }> {
  const users = await db
    .selectFrom('scan_users')
    .select(['user_id', 'done', 'pages'])
    .where('connector_id', '=', connectorId)
    .where('pass', '=', pass)
    .execute();
  return {
    walked: users.filter((u) => u.done === 1).map((u) => u.user_id),
    ahead: users.filter((u) => u.done === 0 && u.pages === 0).map((u) => u.user_id),
  };
}

/** A not yet used file of one of `owners` (a random owner first), or undefined. */
function pickFile(
  filesOf: Map<string, SimFile[]>,
  owners: readonly string[],
  used: Set<string>,
): { file: SimFile } | undefined {
  const start = Math.floor(Math.random() * Math.max(1, owners.length));
  for (let i = 0; i < owners.length; i++) {
    const list = filesOf.get(owners[(start + i) % owners.length]!) ?? [];
    const file = list.find((f) => !used.has(f.id));
    if (file) return { file };
  }
  return undefined;
}

/** Every fileActivity signal of the connector (every run of its chain): when, and the events it carried. */
async function fileActivitySignals(
  client: Client,
  connectorId: string,
  decode: Decode,
): Promise<{ list: Array<{ at: number; events: FileEvent[] }>; runs: number }> {
  const workflowId = workflowIds.connector(connectorId);
  const list: Array<{ at: number; events: FileEvent[] }> = [];
  let runs = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs++;
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const s = e.workflowExecutionSignaledEventAttributes;
      if (s?.signalName !== 'fileActivity' || !s.input?.payloads?.[0]) continue;
      const arg = await decode<{ events: FileEvent[] }>(s.input.payloads[0]);
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      list.push({ at, events: arg.events });
    }
  }
  return { list, runs };
}

/** Decodes one payload of a history (the processes' codec, then JSON). */
type Decode = <T>(payload: unknown) => Promise<T>;

/** Where a sample's latency went, from the histories: each stage ends at the event it names. */
const STAGES = [
  'edit -> fileActivity signal',
  '-> prioritize signal (scan)',
  '-> scanPriorityFiles scheduled',
  '-> started on the worker',
  '-> completed',
  '-> seen stored by the poller',
] as const;

/**
 * Per stage (STAGES), the p50 and p99 over the samples the priority lane rescanned (a sample the walk
 * stored first has no such events): the first of each event carrying the sample's file after its edit.
 */
async function latencyStages(
  client: Client,
  connectorId: string,
  samples: readonly Sample[],
  payload: Decode,
): Promise<{ p50: number[]; p99: number[] }> {
  const at = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) =>
    Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
  // Per file, the times of each stage's events, ascending.
  const times = new Map<string, number[][]>();
  const note = (fileId: string, stage: number, t: number) => {
    const row = times.get(fileId) ?? STAGES.map(() => []);
    times.set(fileId, row);
    row[stage]!.push(t);
  };
  const wanted = new Set(samples.map((s) => s.fileId));
  const taskTimes: Record<string, { wait: number[]; run: number[] }> = {};
  for (const [workflowId, scan] of [
    [workflowIds.connector(connectorId), false],
    [workflowIds.scan(connectorId), true],
  ] as const) {
    for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
      const filesOfScheduled = new Map<string, string[]>();
      const tasks = (taskTimes[scan ? 'scan' : 'connector'] ??= { wait: [], run: [] });
      let taskScheduled = 0;
      let taskStarted = 0;
      for (const e of history.events ?? []) {
        if (e.workflowTaskScheduledEventAttributes) taskScheduled = at(e);
        if (e.workflowTaskStartedEventAttributes) {
          taskStarted = at(e);
          tasks.wait.push(taskStarted - taskScheduled);
        }
        if (e.workflowTaskCompletedEventAttributes) tasks.run.push(at(e) - taskStarted);
        const signal = e.workflowExecutionSignaledEventAttributes;
        const input = signal?.input?.payloads?.[0];
        if (!scan && signal?.signalName === 'fileActivity' && input)
          for (const f of (await payload<{ events: FileEvent[] }>(input)).events)
            if (wanted.has(f.fileId)) note(f.fileId, 0, at(e));
        if (scan && signal?.signalName === 'prioritize' && input)
          for (const f of (await payload<{ files: FileEvent[] }>(input)).files)
            if (wanted.has(f.fileId)) note(f.fileId, 1, at(e));
        const scheduled = e.activityTaskScheduledEventAttributes;
        if (scan && scheduled?.activityType?.name === 'scanPriorityFiles' && scheduled.input?.payloads?.[0]) {
          const ids = (await payload<{ files: FileEvent[] }>(scheduled.input.payloads[0])).files
            .map((f) => f.fileId)
            .filter((id) => wanted.has(id));
          filesOfScheduled.set(String(e.eventId), ids);
          for (const id of ids) note(id, 2, at(e));
        }
        const started = e.activityTaskStartedEventAttributes;
        if (started)
          for (const id of filesOfScheduled.get(String(started.scheduledEventId)) ?? []) note(id, 3, at(e));
        const completed = e.activityTaskCompletedEventAttributes;
        if (completed)
          for (const id of filesOfScheduled.get(String(completed.scheduledEventId)) ?? []) note(id, 4, at(e));
      }
    }
  }
  for (const [name, list] of Object.entries(taskTimes))
    console.log(
      `workflow tasks of ${name}: ${list.wait.length}, ms wait p50 ${percentiles(list.wait).p50} p99 ${percentiles(list.wait).p99}, run p50 ${percentiles(list.run).p50} p99 ${percentiles(list.run).p99}`,
    );
  const perStage: number[][] = STAGES.map(() => []);
  for (const s of samples) {
    const row = times.get(s.fileId);
    if (!row) continue;
    let previous = s.editedAt;
    const ends: number[] = [];
    for (let stage = 0; stage < STAGES.length - 1; stage++) {
      const t = row[stage]!.sort((a, b) => a - b).find((x) => x >= previous - 5);
      if (t === undefined) break;
      ends.push(t);
      previous = t;
    }
    if (ends.length < STAGES.length - 1) continue; // stored by the walk, not the lane
    ends.push(s.editedAt + s.latencyMs!);
    let from = s.editedAt;
    ends.forEach((t, i) => {
      perStage[i]!.push(t - from);
      from = t;
    });
  }
  return {
    p50: perStage.map((v) => percentiles(v).p50),
    p99: perStage.map((v) => percentiles(v).p99),
  };
}

/** One signed FILE.UPLOADED delivery, as Box sends it; resolves with `<HTTP status>:<body status or type>`. */
function deliver(agent: Agent, port: number, webhookId: string, file: SimFile): Promise<string> {
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
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              status?: string;
              type?: string;
            };
            said = parsed.status ?? parsed.type ?? '';
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

function percentiles(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted.length === 0
      ? NaN
      : round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
  return {
    n: sorted.length,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
