/**
 * Inspection throughput and accuracy: `npm run bench -- inspection [--seconds 2] [--text-mb 1] [--quick]`.
 * Per input (prose, text dense with PII, tab-separated and comma-separated numbers as .txt, mixed
 * Office/PDF documents), with every detector:
 * - MB/cpu-s: inspectFile in this thread, MB of file per CPU second (what one core does);
 * - pool MB/s: the same files inspected concurrently by an InspectionPool (a thread per core), MB per
 *   wall-clock second, once every thread has inspected each file (what a format loads once per
 *   thread is not timed) and for as long as the CPU figure runs;
 * - x regex: inspection CPU time over that of one combined bare regex pass over the same extracted text
 *   (the floor a single V8 scan sets).
 * Then precision and recall per detector on the labelled corpus, delimiter variants included.
 * `--quick` runs small inputs briefly, to check the benchmark itself; its figures mean nothing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledPolicySet, FileToInspect } from '../policies';
import { compilePolicySet, DETECTOR_IDS, InspectionPool, inspectFile } from '../policies';
import { extractText } from '../policies/extraction/extract-text';
import { generateCorpus } from '../scripts/generate-corpus';
import { POSITIVES } from '../test/fixtures/corpus/labelled-samples';
import { buildDocx, buildPptx, buildXlsx } from '../test/fixtures/corpus/ooxml-writers';
import { buildPdf } from '../test/fixtures/corpus/pdf-writer';
import { printFigures, printTable } from './report';

const WORDS = (
  'the quarterly report shows revenue growth across regions while customer retention improved and ' +
  'the team shipped the migration plan on schedule with follow up actions for finance legal and support'
).split(' ');

// One bare V8 pass over the shapes the detectors look for: the cost of reading the text once.
const BARE_REGEX =
  /\d[\d -]{7,22}\d|[A-Z]{2}\d{2}[A-Z0-9 ]{10,32}|[\w.+-]+@[\w.-]+\.[a-z]{2,}|AKIA[A-Z0-9]{16}|-----BEGIN|eyJ[\w-]{8,}|password|AIza|sk_live_|:\/\//gi;

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff);
}

/** Prose lines with one labelled sensitive value every `gap` characters. */
function proseLines(chars: number, gap: number): string[] {
  const next = lcg(7);
  const lines: string[] = [];
  let length = 0;
  let since = 0;
  while (length < chars) {
    let line = '';
    while (line.length < 90) line += `${WORDS[next() % WORDS.length]} `;
    if (since > gap) {
      line += POSITIVES[next() % POSITIVES.length]!.text.split('\n')[0]!;
      since = 0;
    }
    // Never past `chars`: a file over the 1,000,000-character limit is Truncated, not inspected whole.
    if (length + line.length + 1 > chars) break;
    lines.push(line);
    length += line.length + 1;
    since += line.length + 1;
  }
  return lines;
}

/** Rows of numbers of 1 to 17 digits (dates, amounts, ids, some card-length), joined by `separator`. */
function numberRows(chars: number, separator: string): string {
  const next = lcg(11);
  const rows: string[] = [];
  let length = 0;
  while (length < chars) {
    const cells: string[] = [];
    for (let c = 0; c < 12; c++) {
      const digits = 1 + ((next() >> 4) % 17);
      let cell = '';
      for (let i = 0; i < digits; i++) cell += String((next() >> 8) % 10);
      cells.push(cell);
    }
    const row = cells.join(separator);
    rows.push(row);
    length += row.length + 1;
  }
  return rows.join('\n');
}

interface Input {
  readonly name: string;
  readonly files: readonly FileToInspect[];
}

async function cpuSecondsPerRun(seconds: number, run: () => Promise<void>): Promise<number> {
  await run(); // warm-up: module loading (pdf.js, secretlint) and JIT
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let runs = 0;
  while (performance.now() - start < seconds * 1000 || runs < 2) {
    await run();
    runs++;
  }
  const cpu = process.cpuUsage(cpuStart);
  return (cpu.user + cpu.system) / 1e6 / runs;
}

/** Resolves once the process has used less than 5% of a core for a quarter of a second (at most 20 s). */
async function untilIdle(): Promise<void> {
  for (let tries = 0; tries < 80; tries++) {
    const start = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1e6 < 0.25 * 0.05) return;
  }
}

async function inspectAll(files: readonly FileToInspect[], set: CompiledPolicySet): Promise<void> {
  for (const f of files) {
    const r = await inspectFile(f, set);
    if (r.status !== 'Completed') throw new Error(`${f.name}: ${r.status} (${r.reason})`);
  }
}

/** Runs the benchmark and prints its tables, then the figures as the last line. */
export async function main(options: Record<string, string>): Promise<void> {
  const quick = options.quick === 'true';
  const seconds = Number(options.seconds ?? (quick ? 0.2 : 2));
  const textMb = Number(options['text-mb'] ?? (quick ? 0.1 : 1));
  const sharing = { collaborators: [] };
  const everyDetector = compilePolicySet({
    version: 1,
    templates: [],
    policies: [
      {
        id: 'all',
        name: 'All',
        severity: 'low',
        content: { detectors: DETECTOR_IDS.map((detector) => ({ detector })) },
      },
    ],
  });
  const txt = (name: string, text: string): FileToInspect => {
    const content = Buffer.from(text, 'utf8');
    return { name, size: content.length, content, sharing };
  };
  const chars = Math.round(textMb * 1_000_000);
  const officeLines = proseLines(quick ? 10_000 : 40_000, 2_000);
  const office = async (name: string, bytes: Buffer | Promise<Buffer>): Promise<FileToInspect> => {
    const content = await bytes;
    return { name, size: content.length, content, sharing };
  };
  const inputs: Input[] = [
    { name: 'prose', files: [txt('prose.txt', proseLines(chars, 2_000).join('\n'))] },
    { name: 'dense PII', files: [txt('dense.txt', proseLines(chars / 4, 150).join('\n'))] },
    { name: 'tab-separated numbers', files: [txt('numbers-tab.txt', numberRows(chars / 2, '\t'))] },
    { name: 'comma-separated numbers', files: [txt('numbers-comma.txt', numberRows(chars / 2, ','))] },
    {
      name: 'mixed Office/PDF',
      files: await Promise.all([
        office('mixed.docx', buildDocx(officeLines)),
        office('mixed.xlsx', buildXlsx(officeLines)),
        office('mixed.pptx', buildPptx(officeLines)),
        office('mixed.pdf', buildPdf(officeLines)),
      ]),
    },
  ];

  const threads = availableParallelism();
  const pool = new InspectionPool({ threads });
  const rows: Array<Record<string, string | number>> = [];
  const figures: Record<string, unknown> = {};
  try {
    // process.cpuUsage counts every thread of the process: the pool's threads, still loading the
    // detectors (a second of CPU each under tsx), were counted in the first input's MB/cpu-s.
    await Promise.all(
      Array.from({ length: threads }, () => pool.inspect(txt('warm-up.txt', 'warm-up'), everyDetector)),
    );
    await untilIdle();
    for (const input of inputs) {
      const bytes = input.files.reduce((sum, f) => sum + f.size, 0);
      const inspectCpu = await cpuSecondsPerRun(seconds, () => inspectAll(input.files, everyDetector));
      const texts = await Promise.all(
        input.files.map(
          async (f) =>
            (
              await extractText(
                f.content!,
                undefined,
                { maxTextChars: 1e6, maxUncompressedBytes: 256e6 },
                f.name,
              )
            ).text,
        ),
      );
      const regexCpu = await cpuSecondsPerRun(seconds, () => {
        for (const t of texts) for (const m of t.matchAll(BARE_REGEX)) void m;
        return Promise.resolve();
      });
      // Enough copies for every thread to have work twice over.
      const copies = Array.from({ length: threads * 2 }, () => input.files).flat();
      // Warm-up, as in this thread: every thread inspects every file once (a file per idle thread),
      // so what a format loads once per thread (pdf.js: 0.1 s compiled, 1 s under tsx) and the JIT
      // are not timed.
      for (const f of input.files) {
        await Promise.all(Array.from({ length: threads }, () => pool.inspect(f, everyDetector)));
      }
      // As long as the CPU figure runs (at least one batch), so the threads' JIT is warm as this one's.
      const wallStart = performance.now();
      let batches = 0;
      do {
        const results = await Promise.all(copies.map((f) => pool.inspect(f, everyDetector)));
        const failed = results.find((r) => r.status !== 'Completed');
        if (failed) throw new Error(`pool: ${failed.status} (${failed.reason})`);
        batches++;
      } while (performance.now() - wallStart < seconds * 1000);
      const wall = (performance.now() - wallStart) / 1000;
      const mbPerCpuSecond = bytes / 1e6 / inspectCpu;
      const poolMbPerSecond = (bytes * threads * 2 * batches) / 1e6 / wall;
      const ratio = inspectCpu / regexCpu;
      rows.push({
        input: input.name,
        files: input.files.length,
        MB: bytes / 1e6,
        'MB/cpu-s': mbPerCpuSecond,
        [`pool MB/s (${threads} thr)`]: poolMbPerSecond,
        'x regex': ratio,
      });
      const key = input.name
        .replace(/[^a-z]+(.)/gi, (_m, c: string) => c.toUpperCase())
        .replace(/^./, (c) => c.toLowerCase());
      figures[key] = {
        mbPerCpuSecond: round(mbPerCpuSecond),
        poolMbPerSecond: round(poolMbPerSecond),
        ratioToBareRegex: round(ratio),
      };
    }
  } finally {
    await pool.close();
  }
  printTable(rows);

  const accuracy = await corpusAccuracy(everyDetector);
  console.log('');
  printTable(
    accuracy.map((a) => ({
      detector: a.detector,
      tp: a.tp,
      fp: a.fp,
      fn: a.fn,
      precision: a.precision,
      recall: a.recall,
    })),
  );
  figures.corpus = Object.fromEntries(
    accuracy.map((a) => [a.detector, { precision: round(a.precision), recall: round(a.recall) }]),
  );
  printFigures({
    ...figures,
    quick,
    threads,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    cores: cpus().length,
  });
}

/** Precision and recall per detector over the generated corpus (every format, delimited variants included). */
async function corpusAccuracy(set: CompiledPolicySet) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-corpus-'));
  try {
    const tally = new Map(DETECTOR_IDS.map((id) => [id, { tp: 0, fp: 0, fn: 0 }]));
    for (const file of await generateCorpus(dir)) {
      const content = await readFile(join(dir, file.name));
      const r = await inspectFile(
        {
          name: file.name,
          size: file.declaredSize ?? content.length,
          content,
          sharing: { collaborators: [] },
        },
        set,
      );
      for (const id of DETECTOR_IDS) {
        const found = r.detectorCounts[id] ?? 0;
        const expected = file.expected[id] ?? 0;
        const t = tally.get(id)!;
        t.tp += Math.min(found, expected);
        t.fp += Math.max(0, found - expected);
        t.fn += Math.max(0, expected - found);
      }
    }
    return DETECTOR_IDS.map((detector) => {
      const t = tally.get(detector)!;
      return {
        detector,
        ...t,
        precision: t.tp / Math.max(1, t.tp + t.fp),
        recall: t.tp / Math.max(1, t.tp + t.fn),
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
