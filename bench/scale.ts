/**
 * One and then two worker processes: `npm run bench -- scale [--files 20000] [--users files/100]
 *   [--workers 1,2] [--policies templates|exposure] [--database postgres|sqlite]`.
 *
 * For each count of `--workers`: a fresh store (a PostgreSQL database of its own, or a SQLite file), that
 * many worker processes (workers/main.ts, every queue, the workflow bundle built beforehand), one API
 * process and a box-sim process of its own (the same seed, so the same data), on one Temporal dev server. A connector is connected through the API and box-sim's consent page, and its first full pass is
 * timed from the store's pass record (started_at to completed_at). Printed per count: the pass's files/s,
 * the workers' CPU milliseconds per file (every worker process, its inspection threads included), and the
 * CPU seconds of box-sim, the API and the dev server during the pass; then each count's files/s against
 * the first count's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { openStore } from '../store/database';
import { ScanWorkRepository } from '../store/scan-work-repository';
import { clickThroughConsent } from '../test/helpers/box-consent';
import { eventually } from '../test/helpers/eventually';
import { createTestDatabase } from '../test/helpers/stores';
import { createLocalEnv } from '../test/helpers/temporal-env';
import { buildWorkflowBundle, writeBenchPolicies } from './lib/bench-setup';
import { childCpuSeconds } from './lib/process-cpu';
import { productSettings, startProductProcess, type ProductProcess } from './lib/product-processes';
import { freePort, startSimProcess } from './lib/sim-process';
import { printFigures, printTable } from './report';

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  const files = Number(options.files ?? 20_000);
  const users = Number(options.users ?? Math.max(10, Math.round(files / 100)));
  const counts = (options.workers ?? '1,2').split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(
      `--workers must be a comma-separated list of positive integers, not '${options.workers}'`,
    );
  const database = options.database ?? 'postgres';
  if (database !== 'postgres' && database !== 'sqlite')
    throw new Error(`--database must be postgres or sqlite, not '${database}'`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const load = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-scale-'));
  const env = await createLocalEnv();
  const bundle = buildWorkflowBundle(join(dir, 'workflow-bundle.js'));
  const policyFile = writeBenchPolicies(dir, options.policies);
  const runs: Array<Record<string, number>> = [];
  try {
    for (const count of counts) runs.push({ workers: count, ...(await onePass(count)) });
  } finally {
    await env.teardown().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  const base = runs[0]!;
  const figures = {
    files,
    users,
    policies: options.policies ?? 'templates',
    database,
    runs: runs.map((r): Record<string, number> => ({
      ...r,
      filesPerSecondVsFirst: round(r.filesPerSecond! / base.filesPerSecond!),
    })),
    loadAverageAtStart: round(load),
    cores: cpus().length,
    node: process.version,
  };
  printTable(
    figures.runs.map((r) => ({
      'worker processes': r.workers!,
      'pass s': r.passSeconds!,
      'files/s': r.filesPerSecond!,
      'x first': r.filesPerSecondVsFirst!,
      'worker CPU ms/file': r.workerCpuMsPerFile!,
      'box-sim CPU s': r.cpuSecondsBoxSim!,
      'API CPU s': r.cpuSecondsApi!,
      'dev server CPU s': r.cpuSecondsTemporalServer!,
    })),
  );
  printFigures(figures);

  async function onePass(count: number): Promise<Record<string, number>> {
    const db = database === 'postgres' ? await createTestDatabase() : undefined;
    const databaseUrl = db?.url ?? `sqlite:${join(dir, `store-${count}.sqlite`)}`;
    // box-sim anew for each count (same seed, same data): a second connector on one box-sim made it spend
    // 3.5 times the CPU serving the same walk, whichever count came second.
    const sim = await startSimProcess(files, users);
    const apiPort = await freePort();
    const settings: Record<string, string> = {
      ...productSettings({
        databaseUrl,
        simBaseUrl: sim.baseUrl,
        temporalAddress: env.address,
        apiPort,
        queuePrefix: 'bench-scale',
      }),
      WORKFLOW_BUNDLE: bundle,
      POLICY_FILE: policyFile,
    };
    const processes: ProductProcess[] = [];
    const store = await openStore(databaseUrl);
    try {
      const workers: ProductProcess[] = [];
      for (let i = 0; i < count; i++) workers.push(await startProductProcess('worker', settings));
      processes.push(...workers);
      const api = await startProductProcess('api', settings);
      processes.push(api);
      const apiBase = `http://127.0.0.1:${apiPort}`;
      const headers = { authorization: `Bearer ${settings.API_TOKEN}`, 'content-type': 'application/json' };
      const created = (await (
        await fetch(`${apiBase}/api/connectors`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ instanceName: `Scale ${count}`, dataCenter: 'US1' }),
        })
      ).json()) as { id: string; authorizeUrl: string };
      const manifest = (await sim.get('/_sim/manifest')) as { users: Array<{ login: string; role: string }> };
      const admin = manifest.users.find((u) => u.role === 'admin')!;
      const cpuRoots: Record<string, number> = { sim: sim.process.pid!, api: api.pid };
      workers.forEach((w, k) => (cpuRoots[`worker${k}`] = w.pid));
      const cpuBefore = childCpuSeconds(cpuRoots);
      const redirect = await clickThroughConsent(created.authorizeUrl, admin.login);
      await fetch(`${apiBase}${redirect.pathname}${redirect.search}`).then((r) => r.text());
      const passes = new ScanWorkRepository(store.db);
      const pass = await eventually(() => passes.getPass(created.id, 1), {
        what: `the first pass with ${count} worker process(es) to complete`,
        timeoutMs: 3_600_000,
        intervalMs: 250,
        accept: (p) => !!p?.completed_at,
      });
      const cpuAfter = childCpuSeconds(cpuRoots);
      const cpu = (kind: string) => (cpuAfter[kind] ?? 0) - (cpuBefore[kind] ?? 0);
      const workerCpu = workers.reduce((sum, _, k) => sum + cpu(`worker${k}`), 0);
      const seconds = (Date.parse(pass!.completed_at!) - Date.parse(pass!.started_at)) / 1000;
      return {
        passSeconds: round(seconds),
        filesSeen: pass!.files_seen,
        filesPerSecond: round(pass!.files_seen / seconds),
        workerCpuSeconds: round(workerCpu),
        workerCpuMsPerFile: round((workerCpu * 1000) / pass!.files_seen, 3),
        cpuSecondsBoxSim: round(cpu('sim')),
        cpuSecondsApi: round(cpu('api')),
        cpuSecondsTemporalServer: round(cpu('others')),
      };
    } finally {
      await Promise.all(processes.map((p) => p.stop()));
      sim.process.kill();
      await store.close();
      await db?.drop();
    }
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
