import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileToInspect } from '../../../policies';
import { compilePolicySet, inspectFile, loadPolicySet, needsContent } from '../../../policies';
import { passesAba, passesMod11, passesMod97, passesVerhoeff } from '../../../policies/detectors/checksums';
import { foldText } from '../../../policies/detectors/text-folding';

const policyWith = (detectors: unknown[], condition: Record<string, unknown>, extra = {}) =>
  compilePolicySet({
    version: 1,
    templates: [],
    detectors,
    policies: [{ id: 'p', name: 'P', severity: 'high', content: { detectors: [condition] } }],
    ...extra,
  });
const txt = (body: string, overrides: Partial<FileToInspect> = {}): FileToInspect => ({
  name: 'notes.txt',
  size: Buffer.byteLength(body),
  content: Buffer.from(body),
  sharing: { collaborators: [] },
  ...overrides,
});
const countOf = async (set: ReturnType<typeof compilePolicySet>, body: string, id = 'p') =>
  (await inspectFile(txt(body), set)).matches.find((m) => m.policyId === id)?.detectorCounts;

describe('checksums', () => {
  it('accept valid numbers and refuse a changed digit', () => {
    expect(passesMod97('GB94BARC10201530093459')).toBe(true);
    expect(passesMod97('GB94BARC10201530093458')).toBe(false);
    expect(passesMod11('0306406152')).toBe(true); // ISBN-10
    expect(passesMod11('0306406153')).toBe(false);
    expect(passesMod11('080442957X')).toBe(true);
    expect(passesAba('011000015')).toBe(true); // Federal Reserve Bank of Boston
    expect(passesAba('011000016')).toBe(false);
    expect(passesVerhoeff('2363')).toBe(true);
    expect(passesVerhoeff('2364')).toBe(false);
  });
});

describe('custom detectors', () => {
  it('a regex detector with a checksum counts only the matches that pass it, delimited', async () => {
    const set = policyWith(
      [{ id: 'routing', name: 'Routing', kind: 'regex', pattern: '\\d{9}', validator: 'aba' }],
      { detector: 'routing' },
    );
    expect(await countOf(set, 'wire 011000015,011000016; x011000015')).toEqual({ routing: 1 });
  });

  it('keywords match whole words, any case, any accent; phrases across whitespace', async () => {
    const set = policyWith(
      [{ id: 'project', name: 'Project', kind: 'keywords', words: ['Project Zürich', 'falcon'] }],
      { detector: 'project', minMatches: 3 },
    );
    expect(await countOf(set, 'PROJECT  ZURICH, project zürich and Falcon but not falconry')).toEqual({
      project: 3,
    });
    expect(await countOf(set, 'project zurich and falcon')).toBeUndefined(); // 2 < minMatches 3
  });

  it('a dictionary reads its words from a file next to the policy file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dictionary-'));
    try {
      await writeFile(join(dir, 'codes.txt'), '# internal code names\nBlue Heron\n\nredwood\n');
      await writeFile(
        join(dir, 'policies.yaml'),
        [
          'version: 1',
          'templates: []',
          'detectors:',
          '  - { id: code-names, name: Code names, kind: dictionary, file: codes.txt }',
          'policies:',
          '  - { id: p, name: P, severity: low, content: { detectors: [{ detector: code-names }] } }',
        ].join('\n'),
      );
      const set = await loadPolicySet(join(dir, 'policies.yaml'));
      expect(await countOf(set, 'blue heron met Redwood')).toEqual({ 'code-names': 2 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('context words raise, lower or require, within their window', async () => {
    const detector = (context: unknown[]) => [
      { id: 'emp', name: 'Employee ID', kind: 'regex', pattern: 'E\\d{6}', likelihood: 'possible', context },
    ];
    const raised = policyWith(detector([{ words: ['employee'], window: 20 }]), { detector: 'emp' });
    expect(await countOf(raised, 'employee E123456')).toEqual({ emp: 1 });
    expect(await countOf(raised, 'E123456')).toBeUndefined(); // possible < likely
    expect(await countOf(raised, `employee ${'x'.repeat(30)} E123456`)).toBeUndefined(); // out of window
    const required = policyWith(detector([{ words: ['staff'], effect: 'require' }]), {
      detector: 'emp',
      minLikelihood: 'possible',
    });
    expect(await countOf(required, 'E123456 alone')).toBeUndefined();
    expect(await countOf(required, 'Staff E123456')).toEqual({ emp: 1 });
    const lowered = policyWith(
      [
        {
          id: 'emp',
          name: 'E',
          kind: 'regex',
          pattern: 'E\\d{6}',
          context: [{ words: ['sample'], effect: 'lower' }],
        },
      ],
      { detector: 'emp' },
    );
    expect(await countOf(lowered, 'sample E123456')).toBeUndefined();
    expect(await countOf(lowered, 'real E123456')).toEqual({ emp: 1 });
  });

  it('a condition naming an unknown detector, a clash with a built-in or a bad pattern is refused', () => {
    expect(() => policyWith([], { detector: 'nope' })).toThrow(/'nope' is neither a built-in detector/);
    expect(() =>
      policyWith([{ id: 'us_ssn', name: 'x', kind: 'keywords', words: ['a'] }], { detector: 'us_ssn' }),
    ).toThrow(/detectors\.0\.id/);
    expect(() =>
      policyWith([{ id: 'bad', name: 'x', kind: 'regex', pattern: '(' }], { detector: 'bad' }),
    ).toThrow(/not a valid regular expression/);
    expect(() =>
      policyWith([{ id: 'k', name: 'x', kind: 'keywords', words: [] }], { detector: 'k' }),
    ).toThrow(/needs words/);
  });

  it('custom detectors are part of the policy-set version', () => {
    const a = policyWith([{ id: 'k', name: 'K', kind: 'keywords', words: ['alpha'] }], { detector: 'k' });
    const b = policyWith([{ id: 'k', name: 'K', kind: 'keywords', words: ['beta'] }], { detector: 'k' });
    expect(a.version).not.toBe(b.version);
  });

  it('folding keeps offsets', () => {
    const text = 'Zürich ÉCOLE straße İstanbul';
    expect(foldText(text)).toHaveLength(text.length);
    expect(foldText(text).startsWith('zurich ecole')).toBe(true);
  });
});

describe('file conditions and whole-file exclusions', () => {
  const ssn = 'Employee SSN: 536-22-8741';
  const base = {
    version: 1,
    templates: [],
    policies: [
      {
        id: 'payroll',
        name: 'Payroll files',
        severity: 'high',
        filters: { fileNames: ['*payroll*'] },
        excludeFiles: { folderPaths: ['/Payroll/Samples'] },
        content: { detectors: [{ detector: 'us_ssn' }] },
      },
    ],
  };

  it('a file name pattern selects files, any case', async () => {
    const set = compilePolicySet(base);
    expect((await inspectFile(txt(ssn, { name: 'Q3-PAYROLL.txt' }), set)).matches).toHaveLength(1);
    expect((await inspectFile(txt(ssn, { name: 'notes.txt' }), set)).status).toBe('NotApplicable');
  });

  it("a policy's exclusion leaves the file out of that policy", async () => {
    const set = compilePolicySet(base);
    const sample = txt(ssn, { name: 'payroll.txt', path: '/Payroll/Samples/2026' });
    expect((await inspectFile(sample, set)).matches).toEqual([]);
    expect(needsContent(set, sample)).toBe(false);
  });

  it('a top-level exclusion leaves the file out of every policy, metadata ones too, and says why', async () => {
    const set = compilePolicySet({
      ...base,
      templates: ['exposure-public-link'],
      excludeFiles: { fileNames: ['*.test.txt'], owners: ['qa@acme.com'] },
    });
    const shared = { sharedLink: { access: 'open' as const }, collaborators: [] };
    const r = await inspectFile(txt(ssn, { name: 'payroll.test.txt', sharing: shared }), set);
    expect(r).toMatchObject({
      status: 'NotApplicable',
      reason: 'excluded by the policy file (file name *.test.txt)',
    });
    expect(r.matches).toEqual([]);
    const byOwner = await inspectFile(txt(ssn, { name: 'payroll.txt', ownerLogin: 'QA@acme.com' }), set);
    expect(byOwner.reason).toMatch(/owner qa@acme.com/);
    expect((await inspectFile(txt(ssn, { name: 'payroll.txt', sharing: shared }), set)).matches).toHaveLength(
      2,
    );
  });
});

describe('a bad policy file names the YAML line and column', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-lines-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('points at the bad value, the unknown key and the syntax error', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'policies:',
        '  - id: p',
        '    name: P',
        '    severity: urgent',
        '    content:',
        '      detectors: [{ detector: us_ssn }]',
        '      masks: full',
      ].join('\n'),
    );
    await expect(loadPolicySet(file)).rejects.toThrow(/policies\.0\.severity \(line 5, column 15\)/);
    await expect(loadPolicySet(file)).rejects.toThrow(
      /policies\.0\.content \(line 8, column 7\): Unrecognized key/,
    );
    await writeFile(file, 'version: 1\npolicies: [ { id: p\n');
    await expect(loadPolicySet(file)).rejects.toThrow(/not valid JSON or YAML: line \d+, column \d+/);
  });
});
