import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectorId, InspectionResult } from '../../../policies';
import { compilePolicySet, DETECTOR_IDS, inspectFile } from '../../../policies';
import type { CorpusFile } from '../../../scripts/generate-corpus';
import { CORPUS_FORMATS, generateCorpus } from '../../../scripts/generate-corpus';
import { NEGATIVES, POSITIVES } from '../../fixtures/corpus/labelled-samples';

// One policy that counts every detector, so the corpus measures the detectors, not the templates.
const everyDetector = compilePolicySet({
  version: 1,
  templates: [],
  policies: [
    {
      id: 'every-detector',
      name: 'Every detector',
      severity: 'low',
      content: { detectors: DETECTOR_IDS.map((detector) => ({ detector })) },
    },
  ],
});

interface Tally {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  negativesFlagged: number;
}

describe('labelled corpus in every format', () => {
  let dir: string;
  let manifest: CorpusFile[];
  const results = new Map<string, InspectionResult>();
  const tally = new Map<DetectorId, Tally>(
    DETECTOR_IDS.map((id) => [
      id,
      { truePositives: 0, falsePositives: 0, falseNegatives: 0, negativesFlagged: 0 },
    ]),
  );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'corpus-'));
    manifest = await generateCorpus(dir);
    for (const file of manifest) {
      const content = await readFile(join(dir, file.name));
      const input = {
        name: file.name,
        size: file.declaredSize ?? content.length,
        content,
        sharing: { collaborators: [] },
      };
      const result = await inspectFile(input, everyDetector);
      results.set(file.name, result);
      for (const id of DETECTOR_IDS) {
        const found = result.detectorCounts[id] ?? 0;
        const expected = file.expected[id] ?? 0;
        const t = tally.get(id)!;
        t.truePositives += Math.min(found, expected);
        t.falsePositives += Math.max(0, found - expected);
        t.falseNegatives += Math.max(0, expected - found);
        if (file.group === 'negatives') t.negativesFlagged += found;
      }
    }
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    const rows = DETECTOR_IDS.map((id) => {
      const t = tally.get(id)!;
      const precision = t.truePositives / Math.max(1, t.truePositives + t.falsePositives);
      const recall = t.truePositives / Math.max(1, t.truePositives + t.falseNegatives);
      const negatives = NEGATIVES.filter((n) => n.detector === id).length * CORPUS_FORMATS.length;
      return {
        detector: id,
        tp: t.truePositives,
        fp: t.falsePositives,
        fn: t.falseNegatives,
        negatives,
        precision,
        recall,
      };
    });
    const header = 'detector         tp   fp   fn  negatives  precision  recall';
    const lines = rows.map(
      (r) =>
        `${r.detector.padEnd(15)} ${String(r.tp).padStart(3)}  ${String(r.fp).padStart(3)}  ${String(r.fn).padStart(3)}` +
        `  ${String(r.negatives).padStart(9)}` +
        `  ${r.precision.toFixed(3).padStart(9)}  ${r.recall.toFixed(3).padStart(6)}`,
    );
    console.log(
      `Detector precision and recall on the corpus (${CORPUS_FORMATS.length} formats):\n${header}\n${lines.join('\n')}`,
    );
  });

  it('covers every format with a positives, a delimited and a negatives file', () => {
    for (const format of CORPUS_FORMATS) {
      expect(manifest.map((f) => f.name)).toEqual(
        expect.arrayContaining([`positives.${format}`, `delimited.${format}`, `negatives.${format}`]),
      );
    }
  });

  it('every file gets its labelled status and detector counts', () => {
    const actual = manifest.map((f) => ({
      name: f.name,
      status: results.get(f.name)?.status,
      counts: results.get(f.name)?.detectorCounts,
    }));
    const expected = manifest.map((f) => ({ name: f.name, status: f.status, counts: f.expected }));
    expect(actual).toEqual(expected);
  });

  it.each(DETECTOR_IDS)('%s has recall 1.0 on the positives', (id) => {
    const t = tally.get(id)!;
    expect(t.truePositives).toBeGreaterThan(0);
    expect(t.falseNegatives).toBe(0);
  });

  it.each(DETECTOR_IDS)('%s reports nothing on the labelled negatives and nothing extra anywhere', (id) => {
    expect(tally.get(id)!.negativesFlagged).toBe(0);
    expect(tally.get(id)!.falsePositives).toBe(0);
  });

  it('no result carries a raw sensitive value, only masked samples', () => {
    const everything = JSON.stringify([...results.values()]);
    const values = POSITIVES.flatMap((p) => (p.value === undefined ? [] : [p.value]));
    expect(values.filter((v) => everything.includes(v))).toEqual([]);
    expect(everything).toContain('"masked":"***-**-8741"');
  });

  it('every unreadable file says why', () => {
    for (const f of manifest.filter((m) => m.group === 'status')) {
      expect(results.get(f.name)?.reason).toMatch(/\w{3,}/);
    }
    expect(results.get('encrypted.pdf')?.reason).toMatch(/password/);
    expect(results.get('encrypted.docx')?.reason).toMatch(/password/);
  });
});
