/**
 * The scan under Box's per-user rate limit: `npm run bench -- rate-budget [--files 20000] [--users 20]
 *   [--limit 1000] [--burst 100] [--paces 950,0] [--policies templates|exposure] [--user-concurrency 4]`.
 *
 * For each pace of `--paces` (BOX_USER_CALLS_PER_MINUTE; 0: calls not paced), a box-sim process of its own
 * allowing each user `--limit` calls a minute (a token bucket of `--burst`), and the scan bench's full pass
 * (bench/scan.ts) on it. Printed per pace, from box-sim's counters: files/s; for the users the budget could
 * hold back (more than 150 calls), calls per minute per user while it was walked (its active time: the
 * gaps between its answers of at most 2 s; a longer gap is a pause, the user waiting for its next walk
 * step), median and lowest, and that over `--limit` (the utilisation); the same over each user's whole
 * span, first call to last; the most users walked at once (their spans overlapping); the 429s in all and
 * after the first minute (the warm-up).
 */
import { cpus, loadavg } from 'node:os';
import { measureScan, type SimStats } from './scan';
import { startSimProcess } from './lib/sim-process';
import { printFigures, printTable } from './report';

/** Users with at most this many calls never left the connector's burst for long: not measured. */
const MEASURED_ABOVE_CALLS = 150;
const WARM_UP_MS = 60_000;

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  const files = Number(options.files ?? 20_000);
  const users = Number(options.users ?? 20);
  const limit = Number(options.limit ?? 1000);
  const burst = Number(options.burst ?? 100);
  const paces = (options.paces ?? '950,0').split(',').map(Number);
  if (paces.some((p) => !Number.isInteger(p) || p < 0))
    throw new Error(
      `--paces must be a comma-separated list of calls per minute (0: none), not '${options.paces}'`,
    );
  if (!(limit > 0) || !(burst > 0)) throw new Error('--limit and --burst must be positive');
  const loadAtStart = loadavg()[0]!;
  const runs: Array<Record<string, number>> = [];
  for (const pace of paces) {
    const sim = await startSimProcess(files, users, [
      '--rate-limit',
      String(limit),
      '--rate-limit-burst',
      String(burst),
    ]);
    try {
      const { figures, fullPass } = await measureScan(
        // No edits during the pass: a rescan as a file's owner would stretch that user's span.
        {
          ...options,
          files: String(files),
          users: String(users),
          pace: String(pace),
          'samples-every-ms': '0',
        },
        sim,
      );
      runs.push({
        pace,
        ...budgetFigures(fullPass.stats, fullPass.startedAt, limit),
        filesPerSecond: Number(figures.filesPerSecond),
        fullPassSeconds: Number(figures.fullPassSeconds),
        workerCpuMsPerFile: Number(figures.workerCpuMsPerFile),
      });
    } finally {
      sim.process.kill();
    }
  }
  const label = (pace: number) => (pace === 0 ? 'not paced' : `paced to ${pace}/min`);
  // Each row: what it says, and the run's figure it shows.
  const rows: Array<[string, string]> = [
    ['full pass, files/s', 'filesPerSecond'],
    ['full pass, seconds', 'fullPassSeconds'],
    ['worker CPU ms per file', 'workerCpuMsPerFile'],
    [`users measured (over ${MEASURED_ABOVE_CALLS} calls)`, 'usersMeasured'],
    ['calls/min per user while walked, median', 'callsPerMinuteMedian'],
    ['calls/min per user while walked, lowest', 'callsPerMinuteLowest'],
    [`utilisation of ${limit}/min, median`, 'utilisationMedian'],
    [`utilisation of ${limit}/min, lowest`, 'utilisationLowest'],
    ['utilisation over first to last call, median', 'utilisationOverWholeSpanMedian'],
    ['utilisation over first to last call, lowest', 'utilisationOverWholeSpanLowest'],
    ['share of the span walked, median', 'activeShareOfSpanMedian'],
    ['most users walked at once', 'mostUsersAtOnce'],
    ['429 answers', 'rateLimited'],
    ['429 answers after the first minute', 'rateLimitedAfterWarmUp'],
  ];
  printTable(
    runs.flatMap((r) => rows.map(([figure, key]) => ({ run: label(r.pace!), figure, value: r[key]! }))),
  );
  const figures: Record<string, number | string> = {
    files,
    users,
    limitPerMinute: limit,
    burst,
    loadAverageAtStart: round(loadAtStart),
    cores: cpus().length,
    node: process.version,
  };
  for (const r of runs)
    for (const [key, value] of Object.entries(r))
      if (key !== 'pace') figures[`${key}${r.pace === 0 ? 'NotPaced' : `Paced${r.pace}`}`] = value;
  printFigures(figures);
}

/** The budget's figures of one full pass from box-sim's counters (its users, not `anonymous` downloads). */
export function budgetFigures(stats: SimStats, startedAt: number, limit: number): Record<string, number> {
  const users = Object.entries(stats.byUser).filter(
    ([user, calls]) => user !== 'anonymous' && calls > MEASURED_ABOVE_CALLS && stats.byUserSpan[user],
  );
  const perMinute = (over: (span: SimStats['byUserSpan'][string]) => number) =>
    users
      .map(([user, calls]) => (calls / Math.max(1, over(stats.byUserSpan[user]!))) * 60_000)
      .sort((a, b) => a - b);
  const active = perMinute((span) => span.activeMs);
  const whole = perMinute((span) => span.last - span.first);
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? NaN;
  const lowest = (xs: number[]) => sorted(xs)[0] ?? NaN;
  return {
    usersMeasured: users.length,
    callsPerMinuteMedian: round(median(active)),
    callsPerMinuteLowest: round(lowest(active)),
    utilisationMedian: round(median(active) / limit, 3),
    utilisationLowest: round(lowest(active) / limit, 3),
    utilisationOverWholeSpanMedian: round(median(whole) / limit, 3),
    utilisationOverWholeSpanLowest: round(lowest(whole) / limit, 3),
    activeShareOfSpanMedian: round(
      median(
        users.map(([user]) => stats.byUserSpan[user]!).map((s) => s.activeMs / Math.max(1, s.last - s.first)),
      ),
      3,
    ),
    mostUsersAtOnce: mostOverlapping(
      Object.entries(stats.byUserSpan)
        .filter(([user]) => user !== 'anonymous' && (stats.byUser[user] ?? 0) > 1)
        .map(([, span]) => span),
    ),
    rateLimited: stats.rateLimited,
    rateLimitedAfterWarmUp: stats.rateLimitedAt.filter((t) => t >= startedAt + WARM_UP_MS).length,
  };
}

/** The most spans that overlap at one instant. */
function mostOverlapping(spans: Array<{ first: number; last: number }>): number {
  const edges = spans.flatMap((s) => [
    { at: s.first, step: 1 },
    { at: s.last, step: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || b.step - a.step);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.step));
  return most;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
