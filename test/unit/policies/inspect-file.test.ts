import type { FileToInspect, PolicyFileInput } from '../../../policies';
import {
  compilePolicySet,
  DEFAULT_INSPECTION_LIMITS,
  inspectFile,
  INSPECTION_STATUSES,
  resolveLimits,
} from '../../../policies';
import { buildDocx, buildPptx, buildXlsx } from '../../fixtures/corpus/ooxml-writers';
import { buildPdf } from '../../fixtures/corpus/pdf-writer';

const policies: PolicyFileInput = {
  version: 1,
  internalDomains: ['acme.com'],
  policies: [
    {
      id: 'ssn-pairs-outside-tests',
      name: 'Two SSNs or more, test range excluded',
      severity: 'high',
      content: { detectors: [{ detector: 'us_ssn', minMatches: 2 }], exclude: ['^231-'] },
    },
    {
      id: 'card-and-iban',
      name: 'Card and IBAN together',
      severity: 'medium',
      content: { operator: 'all', detectors: [{ detector: 'credit_card' }, { detector: 'iban' }] },
    },
    {
      id: 'finance-pem-files',
      name: 'Key files in Finance',
      severity: 'high',
      filters: { extensions: ['pem'], folderPaths: ['/Finance'], owners: ['CFO@acme.com'] },
    },
  ],
};
const set = compilePolicySet(policies);
const text = (s: string) => Buffer.from(s, 'utf8');
const file = (overrides: Partial<FileToInspect> = {}): FileToInspect => {
  const content = overrides.content ?? text('nothing to see');
  return { name: 'notes.txt', size: content.length, content, sharing: { collaborators: [] }, ...overrides };
};
const ids = (r: { matches: Array<{ policyId: string }> }) => r.matches.map((m) => m.policyId).sort();

describe('inspectFile', () => {
  it('reports a card number with its policy, counts and a masked sample only', async () => {
    const result = await inspectFile(file({ content: text('Visa card 4539 1488 0343 6467 on file') }), set);
    expect(result).toMatchObject({ status: 'Completed', textLength: 37, detectorCounts: { credit_card: 1 } });
    expect(result.matches).toEqual([
      {
        policyId: 'pci-card-numbers',
        policyName: 'PCI: payment card numbers',
        severity: 'high',
        accessLevel: 'private',
        detectorCounts: { credit_card: 1 },
        samples: [
          {
            detector: 'credit_card',
            masked: '**** **** **** 6467',
            likelihood: 'very_likely',
            offset: 10,
            context: 'Visa card **** **** **** 6467 on file',
          },
        ],
      },
    ]);
    expect(JSON.stringify(result)).not.toContain('4539 1488');
    expect(result.policySetVersion).toBe(set.version);
  });

  it('raises the combined policy when sensitive content is shared externally', async () => {
    const sharing = { collaborators: [{ type: 'user' as const, login: 'x@partner.io' }] };
    const result = await inspectFile(file({ content: text('SSN: 536-22-8741'), sharing }), set);
    expect(ids(result)).toEqual(['exposure-external-users', 'pii-us-ssn', 'sensitive-shared-externally']);
    expect(result.exposure).toMatchObject({ accessLevel: 'external', externalDomains: ['partner.io'] });
  });

  it('applies minimum matches and exclusion patterns per policy', async () => {
    const one = await inspectFile(file({ content: text('SSN 536-22-8741') }), set);
    const twoButOneExcluded = await inspectFile(
      file({ content: text('SSN 536-22-8741 and SSN 231-45-6712') }),
      set,
    );
    const two = await inspectFile(file({ content: text('SSN 536-22-8741 and SSN 412-67-9035') }), set);
    expect(ids(one)).not.toContain('ssn-pairs-outside-tests');
    expect(ids(twoButOneExcluded)).not.toContain('ssn-pairs-outside-tests');
    expect(twoButOneExcluded.detectorCounts.us_ssn).toBe(2);
    expect(ids(two)).toContain('ssn-pairs-outside-tests');
  });

  it('an "all" condition needs every detector', async () => {
    const cardOnly = await inspectFile(file({ content: text('card 4539 1488 0343 6467') }), set);
    const both = await inspectFile(
      file({ content: text('card 4539 1488 0343 6467\n\n\nIBAN GB94BARC10201530093459') }),
      set,
    );
    expect(ids(cardOnly)).not.toContain('card-and-iban');
    expect(ids(both)).toContain('card-and-iban');
  });

  it('evaluates metadata-only policies without content', async () => {
    const pem = file({
      name: 'root.pem',
      content: undefined,
      size: 900,
      path: '/finance/keys',
      ownerLogin: 'cfo@ACME.com',
    });
    const onlyExposure = compilePolicySet({ version: 1, templates: ['exposure-public-link'] });
    const open = file({ content: undefined, sharing: { sharedLink: { access: 'open' }, collaborators: [] } });
    const publicResult = await inspectFile(open, onlyExposure);
    expect(publicResult).toMatchObject({ status: 'NotApplicable', textLength: 0 });
    expect(ids(publicResult)).toEqual(['exposure-public-link']);
    const pemResult = await inspectFile(pem, set);
    expect(pemResult.status).toBe('Failed');
    expect(pemResult.reason).toMatch(/content was not provided/);
    expect(ids(pemResult)).toEqual(['finance-pem-files']);
  });

  it('does not inspect a file over the size limit, and still judges its exposure', async () => {
    const open = { sharedLink: { access: 'open' as const }, collaborators: [] };
    const result = await inspectFile(
      file({ content: undefined, size: 31 * 1024 * 1024, sharing: open }),
      set,
    );
    expect(result.status).toBe('SizeExceeded');
    expect(ids(result)).toEqual(['exposure-public-link']);
    const small = await inspectFile(file({ content: text('x'.repeat(2000)) }), set, { maxFileBytes: 1000 });
    expect(small.status).toBe('SizeExceeded');
  });

  it('falls back to the default limits for missing or nonsensical ones', () => {
    expect(
      resolveLimits({ maxFileBytes: undefined, maxTextChars: Number.NaN, maxUncompressedBytes: -1 }),
    ).toEqual(DEFAULT_INSPECTION_LIMITS);
    expect(resolveLimits({ maxTextChars: 10 })).toEqual({ ...DEFAULT_INSPECTION_LIMITS, maxTextChars: 10 });
  });

  it('cuts text at the limit, reports Truncated and still finds what comes before', async () => {
    const content = text(`SSN 536-22-8741\n${'.'.repeat(500)}\nSSN 412-67-9035`);
    const result = await inspectFile(file({ content }), set, { maxTextChars: 100 });
    expect(result).toMatchObject({ status: 'Truncated', textLength: 100, detectorCounts: { us_ssn: 1 } });
  });

  it('refuses a zip bomb by its declared uncompressed size', async () => {
    const docx = await buildDocx(['SSN 536-22-8741', 'a'.repeat(50_000)]);
    const result = await inspectFile(file({ name: 'big.docx', content: docx }), set, {
      maxUncompressedBytes: 10_000,
    });
    expect(result.status).toBe('Failed');
    expect(result.reason).toMatch(/expands to \d+ bytes/);
  });

  it('never inspects the content of images and archives', async () => {
    const result = await inspectFile(file({ name: 'scan.JPG', content: text('SSN 536-22-8741') }), set);
    expect(result).toMatchObject({ status: 'Unsupported', detectorCounts: {} });
  });

  it.each([
    ['a missing sharing', { name: 'a.txt', size: 1 }],
    ['a negative size', { name: 'a.txt', size: -1, sharing: { collaborators: [] } }],
    [
      'content that is not bytes',
      { name: 'a.txt', size: 1, content: 'text', sharing: { collaborators: [] } },
    ],
    [
      'an unknown shared link access',
      { name: 'a.txt', size: 1, sharing: { sharedLink: { access: 'everyone' }, collaborators: [] } },
    ],
    ['no input at all', undefined],
  ])('answers Failed with the reason for %s, without throwing', async (_title, input) => {
    const result = await inspectFile(input as unknown as FileToInspect, set);
    expect(result.status).toBe('Failed');
    expect(result.reason).toMatch(/^invalid file description: /);
    expect(result.matches).toEqual([]);
  });

  it('accepts a file whose extension is given apart from its name', async () => {
    const result = await inspectFile(
      file({ name: 'download', extension: 'TXT', content: text('SSN 536-22-8741') }),
      set,
    );
    expect(result.detectorCounts).toEqual({ us_ssn: 1 });
  });

  it('only ever answers with a known status', async () => {
    const inputs = [
      file(),
      file({ content: Buffer.from([0, 1, 2]) }),
      file({ name: 'x.pdf', content: text('%PDF-1.4 nope') }),
    ];
    for (const input of inputs) expect(INSPECTION_STATUSES).toContain((await inspectFile(input, set)).status);
  });
});

describe('samples users can act on', () => {
  const ssnPolicy = (masking?: string, allowUnmaskedSamples?: boolean): unknown => ({
    version: 1,
    templates: [],
    ...(allowUnmaskedSamples === undefined ? {} : { allowUnmaskedSamples }),
    policies: [
      {
        id: 'ssn',
        name: 'SSN',
        severity: 'high',
        content: { detectors: [{ detector: 'us_ssn' }], ...(masking ? { masking } : {}) },
      },
    ],
  });
  const body = 'Payroll export\nEmployee SSN: 536-22-8741, card 4556737586899855 (HR only)\n';
  const samplesWith = async (masking?: string, allow?: boolean) => {
    const r = await inspectFile(file({ content: text(body) }), compilePolicySet(ssnPolicy(masking, allow)));
    return r.matches[0]!.samples;
  };

  it('each sample has its offset and a one-line context with every value in it masked', async () => {
    const [sample] = await samplesWith();
    expect(sample).toEqual({
      detector: 'us_ssn',
      masked: '***-**-8741',
      likelihood: 'very_likely',
      offset: body.indexOf('536-22-8741'),
      context: 'Employee SSN: ***-**-8741, card **************** (HR only',
    });
  });

  it('full masking hides every character; none shows the value only when the file allows it', async () => {
    expect((await samplesWith('full'))[0]).toMatchObject({
      masked: '***-**-****',
      context: 'Employee SSN: ***-**-****, card **************** (HR only',
    });
    expect((await samplesWith('none', true))[0]).toMatchObject({
      masked: '536-22-8741',
      unmasked: true,
      context: 'Employee SSN: 536-22-8741, card **************** (HR only',
    });
    expect(() => compilePolicySet(ssnPolicy('none'))).toThrow(/allowUnmaskedSamples/);
  });

  it('a value in a PDF, a sheet or a slide says which page, sheet or slide holds it', async () => {
    const docx = await buildDocx(['intro', 'Employee SSN: 536-22-8741']);
    const inDocx = await inspectFile(file({ name: 'a.docx', content: docx, size: docx.length }), set);
    expect(inDocx.matches[0]?.samples[0]?.section).toBeUndefined();
    const xlsx = await buildXlsx(['header', 'Employee SSN: 536-22-8741', 'SSN 412-67-9035']);
    const inXlsx = await inspectFile(
      file({ name: 'a.xlsx', content: xlsx, size: xlsx.length }),
      compilePolicySet(ssnPolicy()),
    );
    expect(inXlsx.matches[0]?.samples.map((s) => s.section)).toEqual([
      { kind: 'sheet', number: 1 },
      { kind: 'sheet', number: 1 },
    ]);
    const pdf = buildPdf(['Employee SSN: 536-22-8741']);
    const inPdf = await inspectFile(
      file({ name: 'a.pdf', content: pdf, size: pdf.length }),
      compilePolicySet(ssnPolicy()),
    );
    expect(inPdf.matches[0]?.samples[0]?.section).toEqual({ kind: 'page', number: 1 });
    const pptx = await buildPptx(['title', 'Employee SSN: 536-22-8741']);
    const inPptx = await inspectFile(
      file({ name: 'a.pptx', content: pptx, size: pptx.length }),
      compilePolicySet(ssnPolicy()),
    );
    expect(inPptx.matches[0]?.samples[0]?.section?.kind).toBe('slide');
  });
});

describe('sample context', () => {
  it('masks the other values every detector found in it, never shows another raw value', async () => {
    const all = compilePolicySet({
      version: 1,
      templates: [],
      policies: [
        {
          id: 'all',
          name: 'All',
          severity: 'low',
          content: { detectors: [{ detector: 'us_ssn' }, { detector: 'credit_card' }] },
        },
      ],
    });
    const r = await inspectFile(file({ content: text('SSN 536-22-8741 card 4556737586899855') }), all);
    const contexts = r.matches[0]!.samples.map((s) => s.context);
    expect(contexts).toEqual([
      'SSN ***-**-8741 card ************9855',
      'SSN ***-**-8741 card ************9855',
    ]);
  });
});
