/**
 * Inspection throughput on one core: `npm run bench -- inspection [--seconds 3] [--text-mb 1]`.
 * - text: one plain-text file of `text-mb` MB (prose with a sensitive value every ~2 KB) through
 *   inspectFile with every detector: MB/s of text.
 * - mixed: a set of txt, csv, json, html, docx, xlsx, pptx and pdf files of ~40 KB of text each,
 *   through inspectFile with the built-in templates: files/s and MB/s of file bytes.
 * Everything runs in this thread (pdf.js included: no worker), so the figures are per core.
 */
import { cpus } from 'node:os';
import type { CompiledPolicySet, FileToInspect } from '../policies';
import { compilePolicySet, DETECTOR_IDS, inspectFile } from '../policies';
import { POSITIVES } from '../test/fixtures/corpus/labelled-samples';
import { buildDocx, buildPptx, buildXlsx } from '../test/fixtures/corpus/ooxml-writers';
import { buildPdf } from '../test/fixtures/corpus/pdf-writer';
import { printFigures, printTable } from './report';

const WORDS = (
  'the quarterly report shows revenue growth across regions while customer retention improved and ' +
  'the team shipped the migration plan on schedule with follow up actions for finance legal and support'
).split(' ');

/** Deterministic prose lines with one labelled sensitive value every ~2 KB. */
function proseLines(chars: number): string[] {
  const lines: string[] = [];
  let length = 0;
  let seed = 7;
  let sinceSample = 0;
  while (length < chars) {
    let line = '';
    while (line.length < 90) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      line += `${WORDS[seed % WORDS.length]} `;
    }
    if (sinceSample > 2000) {
      line += POSITIVES[seed % POSITIVES.length]!.text.split('\n')[0]!;
      sinceSample = 0;
    }
    lines.push(line);
    length += line.length + 1;
    sinceSample += line.length + 1;
  }
  return lines;
}

/** Repeats `run` for at least `seconds` (and 3 runs); `cpuShare` is CPU time over wall time (1.0 = one busy core). */
async function timeIt(
  seconds: number,
  run: () => Promise<void>,
): Promise<{ runs: number; elapsed: number; cpuShare: number }> {
  await run(); // warm-up: module loading (pdf.js, secretlint) and JIT
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let runs = 0;
  while (performance.now() - start < seconds * 1000 || runs < 3) {
    await run();
    runs++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { runs, elapsed, cpuShare: (cpu.user + cpu.system) / 1e6 / elapsed };
}

async function inspectAll(files: readonly FileToInspect[], set: CompiledPolicySet): Promise<void> {
  for (const f of files) {
    const r = await inspectFile(f, set);
    if (r.status !== 'Completed' && r.status !== 'Truncated')
      throw new Error(`${f.name}: ${r.status} (${r.reason})`);
  }
}

/** Runs the benchmark and prints its table, then the figures as the last line. */
export async function main(options: Record<string, string>): Promise<void> {
  const seconds = Number(options.seconds ?? 3);
  const textMb = Number(options['text-mb'] ?? 1);
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
  const templates = compilePolicySet({ version: 1 });

  const text = Buffer.from(proseLines(textMb * 990_000).join('\n'), 'utf8');
  const textFile: FileToInspect = { name: 'big.txt', size: text.length, content: text, sharing };
  const textRun = await timeIt(seconds, () => inspectAll([textFile], everyDetector));

  const lines = proseLines(40_000);
  const plain = lines.join('\n');
  const documents: Array<[string, Buffer]> = [
    ['mixed.txt', Buffer.from(plain)],
    ['mixed.csv', Buffer.from(lines.map((l, i) => `${i},"${l.replace(/"/g, '""')}"`).join('\n'))],
    ['mixed.json', Buffer.from(JSON.stringify({ lines }))],
    [
      'mixed.html',
      Buffer.from(
        `<html><body>${lines.map((l) => `<p>${l.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`).join('')}</body></html>`,
      ),
    ],
    ['mixed.docx', await buildDocx(lines)],
    ['mixed.xlsx', await buildXlsx(lines)],
    ['mixed.pptx', await buildPptx(lines)],
    ['mixed.pdf', buildPdf(lines)],
  ];
  const mixed = documents.map(([name, content]): FileToInspect => ({
    name,
    size: content.length,
    content,
    sharing,
  }));
  const mixedRun = await timeIt(seconds, () => inspectAll(mixed, templates));

  const perFormat = [];
  for (const f of mixed) {
    const run = await timeIt(Math.max(0.5, seconds / 4), () => inspectAll([f], templates));
    perFormat.push(row(`mixed: ${f.name}`, [f], run));
  }
  const textRow = row(`text: ${(text.length / 1e6).toFixed(2)} MB, every detector`, [textFile], textRun);
  const mixedRow = row(`mixed: ${mixed.length} formats, templates`, mixed, mixedRun);
  printTable([textRow, mixedRow, ...perFormat]);
  printFigures({
    textMbPerSecond: round(textRow['MB/s']),
    textMbPerCpuSecond: round(textRow['MB/cpu-s']),
    mixedFilesPerSecond: round(mixedRow['files/s']),
    mixedFilesPerCpuSecond: round(mixedRow['files/cpu-s']),
    mixedMbPerSecond: round(mixedRow['MB/s']),
    cpuShareText: round(textRun.cpuShare),
    cpuShareMixed: round(mixedRun.cpuShare),
    textBytes: text.length,
    mixedFiles: mixed.length,
    mixedBytes: mixed.reduce((sum, f) => sum + f.size, 0),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    cores: cpus().length,
  });
}

/**
 * One table row: rates per wall-clock second, and per CPU second, which is what one core achieves
 * when other processes share the machine (the wall-clock rate is then lower).
 */
function row(
  label: string,
  files: readonly FileToInspect[],
  run: { runs: number; elapsed: number; cpuShare: number },
) {
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const filesPerSecond = (files.length * run.runs) / run.elapsed;
  const mbPerSecond = (bytes * run.runs) / 1e6 / run.elapsed;
  return {
    case: label,
    'file KB': bytes / 1024 / files.length,
    'files/s': filesPerSecond,
    'MB/s': mbPerSecond,
    'files/cpu-s': filesPerSecond / run.cpuShare,
    'MB/cpu-s': mbPerSecond / run.cpuShare,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
