import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyFileInput } from '../../../policies';
import {
  compilePolicySet,
  DEFAULT_DETECTOR_SETTINGS,
  DETECTOR_IDS,
  inspectFile,
  loadPolicySet,
  needsContent,
  PolicySetError,
  TEMPLATE_IDS,
} from '../../../policies';

const hrPolicy: PolicyFileInput = {
  version: 1,
  internalDomains: ['acme.com'],
  templates: ['exposure-public-link'],
  policies: [
    {
      id: 'hr-ssn',
      name: 'SSNs in HR spreadsheets',
      severity: 'critical',
      filters: { extensions: ['xlsx', 'csv'], folderPaths: ['/HR'] },
      content: { detectors: [{ detector: 'us_ssn', minMatches: 2 }], exclude: ['^536-'] },
    },
  ],
};

describe('compilePolicySet', () => {
  it('enables every built-in template when the file does not list them', () => {
    const set = compilePolicySet({ version: 1 });
    expect(set.policies.map((p) => p.id).sort()).toEqual([...TEMPLATE_IDS].sort());
    // email and phone_number have no template: they are everywhere.
    expect(set.detectors).toEqual(
      DETECTOR_IDS.filter((id) => id !== 'email' && id !== 'phone_number').sort(),
    );
  });

  it('fills defaults: any operator, one match, likely, enabled', () => {
    const set = compilePolicySet({
      version: 1,
      templates: [],
      policies: [{ id: 'p', name: 'P', severity: 'low', content: { detectors: [{ detector: 'email' }] } }],
    });
    expect(set.policies[0]).toMatchObject({
      enabled: true,
      content: {
        operator: 'any',
        detectors: [{ detector: 'email', minMatches: 1, minLikelihood: 'likely' }],
        exclude: [],
      },
    });
  });

  it('gives the same version for the same policies written in another order', () => {
    const a = compilePolicySet({
      version: 1,
      templates: ['pii-us-ssn', 'pci-card-numbers'],
      internalDomains: ['b.com', 'a.com'],
    });
    const b = compilePolicySet({
      internalDomains: ['A.com', 'b.com'],
      templates: ['pci-card-numbers', 'pii-us-ssn'],
      version: 1,
    });
    expect(a.version).toMatch(/^[0-9a-f]{64}$/);
    expect(b.version).toBe(a.version);
  });

  it('changes the version when a policy, a domain or a template changes', () => {
    const base = compilePolicySet(hrPolicy).version;
    const changedPolicy = compilePolicySet({
      ...hrPolicy,
      policies: [{ ...hrPolicy.policies![0]!, severity: 'high' }],
    }).version;
    const changedDomains = compilePolicySet({ ...hrPolicy, internalDomains: ['acme.org'] }).version;
    const changedTemplates = compilePolicySet({ ...hrPolicy, templates: [] }).version;
    expect(new Set([base, changedPolicy, changedDomains, changedTemplates]).size).toBe(4);
  });

  it('ignores disabled policies, in the result and in the version', () => {
    const disabled = compilePolicySet({
      ...hrPolicy,
      policies: [{ ...hrPolicy.policies![0]!, enabled: false }],
    });
    expect(disabled.policies.map((p) => p.id)).toEqual(['exposure-public-link']);
    expect(disabled.version).toBe(compilePolicySet({ ...hrPolicy, policies: [] }).version);
  });

  it.each([
    [
      'an unknown detector',
      { policies: [{ id: 'x', name: 'X', severity: 'low', content: { detectors: [{ detector: 'dna' }] } }] },
      'policies.0.content.detectors.0.detector',
    ],
    [
      'a bad exclusion regex',
      {
        policies: [
          {
            id: 'x',
            name: 'X',
            severity: 'low',
            content: { detectors: [{ detector: 'iban' }], exclude: ['(['] },
          },
        ],
      },
      'not a valid regular expression',
    ],
    [
      'a policy that would match every file',
      { policies: [{ id: 'x', name: 'X', severity: 'low' }] },
      'would match every file',
    ],
    [
      'an unknown severity',
      { policies: [{ id: 'x', name: 'X', severity: 'urgent', filters: { accessLevels: ['public'] } }] },
      'policies.0.severity',
    ],
    ['an unknown field', { policies: [], extra: true }, 'extra'],
    ['an unknown template', { templates: ['pii-passport'] }, 'templates'],
  ])('rejects %s with a message naming the problem', (_title, body, message) => {
    expect(() => compilePolicySet({ version: 1, ...body })).toThrow(PolicySetError);
    expect(() => compilePolicySet({ version: 1, ...body })).toThrow(message);
  });

  it('rejects a user policy reusing a template id', () => {
    const body = {
      version: 1,
      policies: [{ id: 'pii-us-ssn', name: 'Mine', severity: 'low', filters: { accessLevels: ['public'] } }],
    };
    expect(() => compilePolicySet(body)).toThrow("policy id 'pii-us-ssn' is used twice");
  });
});

describe('loadPolicySet', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policies-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads YAML and JSON files to the same policy set', async () => {
    const yaml = [
      'version: 1',
      'internalDomains: [acme.com]',
      'templates: [exposure-public-link]',
      'policies:',
      '  - id: hr-ssn',
      '    name: SSNs in HR spreadsheets',
      '    severity: critical',
      '    filters: { extensions: [xlsx, csv], folderPaths: [/HR] }',
      '    content:',
      '      detectors: [{ detector: us_ssn, minMatches: 2 }]',
      "      exclude: ['^536-']",
    ].join('\n');
    await writeFile(join(dir, 'policies.yaml'), yaml);
    await writeFile(join(dir, 'policies.json'), JSON.stringify(hrPolicy));
    const fromYaml = await loadPolicySet(join(dir, 'policies.yaml'));
    const fromJson = await loadPolicySet(join(dir, 'policies.json'));
    expect(fromYaml.version).toBe(fromJson.version);
    expect(fromYaml.version).toBe(compilePolicySet(hrPolicy).version);
  });

  it('compiles an object passed directly', async () => {
    expect((await loadPolicySet(hrPolicy)).version).toBe(compilePolicySet(hrPolicy).version);
  });

  it("adds the configured internal domains to the file's own, and they count in the version", async () => {
    const set = await loadPolicySet(hrPolicy, { internalDomains: ['Acme.co.uk', 'acme.com'] });
    expect(set.internalDomains).toEqual(['acme.co.uk', 'acme.com']);
    expect(set.version).toBe(
      compilePolicySet({ ...hrPolicy, internalDomains: ['acme.com', 'acme.co.uk'] }).version,
    );
    expect(set.version).not.toBe(compilePolicySet(hrPolicy).version);
  });

  it('says which file is missing or malformed', async () => {
    await expect(loadPolicySet(join(dir, 'absent.yaml'))).rejects.toThrow(
      /cannot read the policy file .*absent\.yaml/,
    );
    await writeFile(join(dir, 'broken.json'), '{ "version": 1,');
    await expect(loadPolicySet(join(dir, 'broken.json'))).rejects.toThrow(
      /broken\.json is not valid JSON or YAML/,
    );
    await writeFile(join(dir, 'invalid.yaml'), 'version: 2');
    await expect(loadPolicySet(join(dir, 'invalid.yaml'))).rejects.toThrow(
      /invalid\.yaml is invalid:\n {2}- version/,
    );
  });
});

describe('needsContent', () => {
  const set = compilePolicySet(hrPolicy);
  const file = { name: 'staff.xlsx', size: 2048, sharing: { collaborators: [] }, path: '/HR/2026' };

  it('is true when a content policy applies to the file', () => {
    expect(needsContent(set, file)).toBe(true);
  });

  it('is false when only metadata policies apply (no download needed)', () => {
    expect(
      needsContent(set, {
        ...file,
        path: '/Marketing',
        sharing: { sharedLink: { access: 'open' }, collaborators: [] },
      }),
    ).toBe(false);
    expect(needsContent(set, { ...file, name: 'notes.docx' })).toBe(false);
  });

  it('is false for an oversized, empty or never-inspected file', () => {
    expect(needsContent(set, { ...file, size: 31 * 1024 * 1024 })).toBe(false);
    expect(needsContent(set, { ...file, size: 0 })).toBe(false);
    const everyFile = compilePolicySet({ version: 1, templates: ['pci-card-numbers'] });
    expect(needsContent(everyFile, { ...file, name: 'photo.png' })).toBe(false);
    expect(needsContent(everyFile, { ...file, name: 'photo.png' }, { maxFileBytes: 1024 })).toBe(false);
  });

  it('is false, without throwing, for malformed metadata', () => {
    const malformed = { ...file, sharing: { sharedLink: { access: 'everyone' } } } as unknown as typeof file;
    expect(needsContent(set, malformed)).toBe(false);
  });

  it('honours a configured size limit', () => {
    expect(needsContent(set, file, { maxFileBytes: 1024 })).toBe(false);
  });
});

describe('email documentation domains (detectorSettings.email)', () => {
  const emailPolicy = (detectorSettings?: unknown): unknown => ({
    version: 1,
    templates: [],
    policies: [
      { id: 'mail', name: 'Mail', severity: 'low', content: { detectors: [{ detector: 'email' }] } },
    ],
    ...(detectorSettings === undefined ? {} : { detectorSettings }),
  });
  const text = 'write to user@example.com, qa@sandbox.acme-test.com or jane.doe@acme-corp.com';
  const emailsIn = async (settings?: unknown) => {
    const set = compilePolicySet(emailPolicy(settings));
    const result = await inspectFile(
      { name: 'a.txt', size: text.length, content: Buffer.from(text), sharing: { collaborators: [] } },
      set,
    );
    return result.detectorCounts.email ?? 0;
  };

  it('by default drops reserved documentation domains only', async () => {
    expect(await emailsIn()).toBe(2);
    expect(compilePolicySet(emailPolicy()).detectorSettings).toEqual(DEFAULT_DETECTOR_SETTINGS);
  });

  it('reports example.com when ignoreReservedDomains is false, and drops the domains listed', async () => {
    expect(await emailsIn({ email: { ignoreReservedDomains: false } })).toBe(3);
    expect(await emailsIn({ email: { ignoreDomains: ['acme-test.com'] } })).toBe(1);
  });

  it('changes the policy-set version, and refuses a bad setting by name', () => {
    const plain = compilePolicySet(emailPolicy()).version;
    expect(compilePolicySet(emailPolicy({ email: { ignoreReservedDomains: false } })).version).not.toBe(
      plain,
    );
    expect(() => compilePolicySet(emailPolicy({ email: { ignoreDomains: ['not a domain'] } }))).toThrow(
      PolicySetError,
    );
    expect(() => compilePolicySet(emailPolicy({ email: { ignoreExample: true } }))).toThrow(
      /detectorSettings\.email/,
    );
  });
});
