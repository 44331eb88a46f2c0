/**
 * Benchmark runner: `npm run bench -- <name> [--key value ...]` loads bench/<name>.ts and runs its
 * `main(options)`. Every benchmark prints a readable table, then, as its very last line, one JSON object
 * of its figures (see bench/report.ts), so scripts can read the result with `tail -1`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What a benchmark module exports. */
export interface BenchmarkModule {
  main(options: Record<string, string>): Promise<void>;
}

function parseOptions(args: string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}': options are --name value`);
    const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) options[key] = inline;
    else if (args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) options[key] = args[++i]!;
    else options[key] = 'true';
  }
  return options;
}

async function runBenchmark(): Promise<void> {
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f))
    .map((f) => f.replace(/\.ts$/, ''));
  const [name, ...rest] = process.argv.slice(2);
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- <name> [--option value ...]\nbenchmarks: ${available.join(', ')}`);
    process.exit(2);
  }
  const mod = (await import(join(__dirname, `${name}.ts`))) as BenchmarkModule;
  await mod.main(parseOptions(rest));
}

runBenchmark().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
