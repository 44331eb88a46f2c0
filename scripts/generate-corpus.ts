/**
 * Generates the labelled detection corpus: every positive and negative sample of
 * test/fixtures/corpus/labelled-samples.ts written into every supported format, the positives again
 * between every delimiter (`delimited.<format>`), plus one file per
 * inspection status (encrypted, corrupt, oversized, unsupported, truncated, empty). Deterministic:
 * the same samples always give the same files.
 *
 *   npx tsx scripts/generate-corpus.ts [outDir]   (default test/fixtures/corpus/generated, git-ignored)
 *
 * The tests call generateCorpus() into a temporary folder, so no generated binary is committed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DetectorId, InspectionStatus } from '../policies';
import { buildEncryptedOffice, buildLegacyDoc } from '../test/fixtures/corpus/compound-files';
import type { LabelledSample } from '../test/fixtures/corpus/labelled-samples';
import { DELIMITED_POSITIVES, NEGATIVES, POSITIVES } from '../test/fixtures/corpus/labelled-samples';
import { buildDocx, buildPptx, buildXlsx, escapeXml } from '../test/fixtures/corpus/ooxml-writers';
import { buildPdf } from '../test/fixtures/corpus/pdf-writer';

/** One file of the corpus and what inspecting it must give. */
export interface CorpusFile {
  readonly name: string;
  readonly group: 'positives' | 'negatives' | 'status';
  readonly status: InspectionStatus;
  /** Values each detector must report (detectors absent: none). */
  readonly expected: Partial<Record<DetectorId, number>>;
  /** The size to announce when it differs from the bytes written (the oversized file). */
  readonly declaredSize?: number;
}

/** Every format the samples are written in, by extension. */
export const CORPUS_FORMATS = [
  'txt',
  'csv',
  'tsv',
  'md',
  'json',
  'html',
  'xml',
  'log',
  'py',
  'docx',
  'xlsx',
  'pptx',
  'pdf',
] as const;

// Keeps one sample's context words away from the next sample (the context window is ~48 characters).
const FILLER = 'Notes follow below; nothing else on this line matters at all.';

type Writer = (lines: readonly string[]) => Buffer | Promise<Buffer>;

const WRITERS: Record<(typeof CORPUS_FORMATS)[number], Writer> = {
  txt: (lines) => utf8(lines.join('\n')),
  csv: (lines) =>
    utf8(['id,note', ...lines.map((l, i) => `${i + 1},"${l.replace(/"/g, '""')}"`)].join('\r\n')),
  tsv: (lines) =>
    utf8(['id\tnote', ...lines.map((l, i) => `${i + 1}\t${l.replace(/\s*\n\s*/g, ' ')}`)].join('\n')),
  md: (lines) =>
    utf8(
      ['# Notes', '', ...lines.map((l) => (l.includes('\n') ? `\`\`\`\n${l}\n\`\`\`` : `- ${l}`))].join('\n'),
    ),
  json: (lines) => utf8(JSON.stringify({ records: lines.map((note, i) => ({ id: i + 1, note })) }, null, 2)),
  html: (lines) =>
    utf8(
      `<!doctype html><html><body>\n${lines.map((l) => (l.includes('\n') ? `<pre>${escapeXml(l)}</pre>` : `<p>${escapeXml(l)}</p>`)).join('\n')}\n</body></html>`,
    ),
  xml: (lines) =>
    utf8(
      `<?xml version="1.0"?>\n<records>\n${lines.map((l, i) => `  <record id="${i + 1}">${escapeXml(l)}</record>`).join('\n')}\n</records>`,
    ),
  log: (lines) =>
    utf8(
      lines
        .map(
          (l, i) =>
            `2026-11-27T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z INFO ${l}`,
        )
        .join('\n'),
    ),
  py: (lines) =>
    utf8(
      `"""Support notes kept next to the code."""\n\nNOTES = [\n${lines.map((l) => `    ${JSON.stringify(l)},`).join('\n')}\n]\n`,
    ),
  docx: buildDocx,
  xlsx: buildXlsx,
  pptx: buildPptx,
  pdf: (lines) => buildPdf(lines.flatMap((l) => l.split('\n'))),
};

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function withFiller(samples: readonly LabelledSample[]): string[] {
  return samples.flatMap((s) => [s.text, FILLER]);
}

function countByDetector(samples: readonly LabelledSample[]): Partial<Record<DetectorId, number>> {
  const counts: Partial<Record<DetectorId, number>> = {};
  for (const s of samples) counts[s.detector] = (counts[s.detector] ?? 0) + 1;
  return counts;
}

/** Writes the corpus into `dir` and returns its manifest (also written as manifest.json). */
export async function generateCorpus(dir: string): Promise<CorpusFile[]> {
  await mkdir(dir, { recursive: true });
  const files: CorpusFile[] = [];
  const write = async (file: CorpusFile, bytes: Buffer) => {
    await writeFile(join(dir, file.name), bytes);
    files.push(file);
  };
  for (const format of CORPUS_FORMATS) {
    const writer = WRITERS[format];
    await write(
      {
        name: `positives.${format}`,
        group: 'positives',
        status: 'Completed',
        expected: countByDetector(POSITIVES),
      },
      await writer(withFiller(POSITIVES)),
    );
    await write(
      {
        name: `delimited.${format}`,
        group: 'positives',
        status: 'Completed',
        expected: countByDetector(DELIMITED_POSITIVES),
      },
      await writer(withFiller(DELIMITED_POSITIVES)),
    );
    await write(
      { name: `negatives.${format}`, group: 'negatives', status: 'Completed', expected: {} },
      await writer(withFiller(NEGATIVES)),
    );
  }
  for (const [name, bytes] of await statusFiles()) {
    await write({ ...name }, bytes);
  }
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(files, null, 2)}\n`);
  return files;
}

async function statusFiles(): Promise<Array<[CorpusFile, Buffer]>> {
  const docx = await buildDocx(['Employee SSN: 536-22-8741']);
  const card = 'Visa card on file: 4539 1488 0343 6467';
  const longText = `${card}\n${`${FILLER}\n`.repeat(Math.ceil(1_000_000 / (FILLER.length + 1)))}${card}\n`;
  const status = (
    name: string,
    s: InspectionStatus,
    expected: CorpusFile['expected'] = {},
    declaredSize?: number,
  ): CorpusFile => ({
    name,
    group: 'status',
    status: s,
    expected,
    ...(declaredSize === undefined ? {} : { declaredSize }),
  });
  return [
    [status('encrypted.pdf', 'Encrypted'), buildPdf([card], { user: 'open sesame', owner: 'owner secret' })],
    [status('encrypted.docx', 'Encrypted'), buildEncryptedOffice('docx')],
    [status('encrypted.xlsx', 'Encrypted'), buildEncryptedOffice('xlsx')],
    [
      status('corrupt.docx', 'Failed'),
      Buffer.concat([docx.subarray(0, 120), Buffer.from('garbage after a cut')]),
    ],
    [status('corrupt.xlsx', 'Failed'), await buildDocx(['a Word package named .xlsx'])],
    [
      status('corrupt.pdf', 'Failed'),
      Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF garbled', 'latin1'),
    ],
    [status('legacy.doc', 'Unsupported'), buildLegacyDoc()],
    [
      status('photo.png', 'Unsupported'),
      Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
    ],
    [status('blob.dat', 'Unsupported'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8, 0, 0, 0, 9])],
    [
      status('binary.txt', 'Unsupported'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ],
    [status('oversized.txt', 'SizeExceeded', {}, 31 * 1024 * 1024), utf8(card)],
    [status('empty.txt', 'NotApplicable'), Buffer.alloc(0)],
    [status('long.txt', 'Truncated', { credit_card: 1 }), utf8(longText)],
    [
      status('utf16.txt', 'Completed', { us_ssn: 1 }),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Employee SSN: 536-22-8741\n', 'utf16le')]),
    ],
    [status('no-extension', 'Completed', { credit_card: 1 }), utf8(card)],
  ];
}

if (require.main === module) {
  const out = process.argv[2] ?? join(__dirname, '..', 'test', 'fixtures', 'corpus', 'generated');
  generateCorpus(out).then(
    (files) => console.log(`wrote ${files.length} files and manifest.json to ${out}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
