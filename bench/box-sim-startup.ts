/**
 * box-sim startup benchmark: `npm run bench -- box-sim-startup [--files N] [--users N]`.
 * Each size runs in its own child process so its resident memory is measured alone. Prints, per size,
 * generation and listen time, memory after startup, and the cost of first API work (a folder listing
 * with sha1 for 1,000 files, the ground truth of one hour of events).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBoxSim } from '../box-sim';
import { cpus } from 'node:os';
import { printFigures, printTable } from './report';

interface ChildFigures {
  files: number;
  users: number;
  events: number;
  startupMs: number;
  generationMs: number;
  rssMb: number;
  heapUsedMb: number;
  /** Content generation + sha1 for 1,000 files (what one folder page with sha1 costs the first time). */
  first1000Sha1Ms: number;
  /** RSS after that work. */
  rssAfterWorkMb: number;
  groundTruthHourOfEventsMs: number;
}

async function child(files: number, users: number): Promise<void> {
  const t0 = performance.now();
  const sim = await startBoxSim({ files, users, rateLimitPerMinute: 0 });
  const startupMs = performance.now() - t0;
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const t1 = performance.now();
  for (let i = 0; i < 1000; i++) sim.enterprise.fileSha1Of(Math.floor((i * files) / 1000));
  const first1000Sha1Ms = performance.now() - t1;
  const rssAfterWork = process.memoryUsage().rss;
  const now = Date.now();
  const t2 = performance.now();
  const events = sim.manifest.eventsBetween(now - 7 * 86_400_000, now - 7 * 86_400_000 + 3_600_000);
  const groundTruthHourOfEventsMs = performance.now() - t2;
  void events;
  const figures: ChildFigures = {
    files,
    users,
    events: sim.manifest.eventCount(),
    startupMs,
    generationMs: sim.generationMs,
    rssMb: mem.rss / 2 ** 20,
    heapUsedMb: mem.heapUsed / 2 ** 20,
    first1000Sha1Ms,
    rssAfterWorkMb: rssAfterWork / 2 ** 20,
    groundTruthHourOfEventsMs,
  };
  await sim.close();
  process.stdout.write(JSON.stringify(figures) + '\n');
}

async function runChild(files: number, users: number): Promise<ChildFigures> {
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    [
      ...process.execArgv,
      '--expose-gc',
      '--max-old-space-size=3072',
      __filename,
      '--child',
      String(files),
      String(users),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      timeout: 600_000,
    },
  );
  const last = out.trim().split('\n').pop()!;
  return JSON.parse(last) as ChildFigures;
}

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  const sizes = options.files ? [Number(options.files)] : [100_000, 1_000_000];
  const rows: ChildFigures[] = [];
  for (const files of sizes) {
    rows.push(await runChild(files, Number(options.users ?? Math.max(20, Math.round(files / 1000)))));
  }
  printTable(
    rows.map((r) => ({
      files: r.files,
      users: r.users,
      'events (10 d)': r.events,
      'startup ms': r.startupMs,
      'generation ms': r.generationMs,
      'RSS MB': r.rssMb,
      'heap MB': r.heapUsedMb,
      '1k sha1 ms': r.first1000Sha1Ms,
      'RSS after MB': r.rssAfterWorkMb,
      'truth 1h events ms': r.groundTruthHourOfEventsMs,
    })),
  );
  printFigures({ benchmark: 'box-sim-startup', nproc: cpus().length, node: process.version, sizes: rows });
}

if (require.main === module && process.argv[2] === '--child') {
  child(Number(process.argv[3]), Number(process.argv[4])).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
