import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicySet, loadPolicySet, parseGovernanceParams, PolicySetError } from '../../../policies';

const policy = (actions: unknown) => ({
  version: 1 as const,
  templates: [],
  policies: [
    {
      id: 'ssn-public',
      name: 'SSNs behind a public link',
      severity: 'high',
      filters: { accessLevels: ['public'] },
      content: { detectors: [{ detector: 'us_ssn' }] },
      actions,
    },
  ],
});

describe('policy actions', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-actions-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('an action gets its defaults: approval required, 7 days, no dry run, no params', () => {
    const set = compilePolicySet(policy([{ kind: 'remove-shared-link' }]));
    expect(set.policies[0]!.actions).toEqual([
      { kind: 'remove-shared-link', params: {}, approval: 'required', expiresInDays: 7, dryRun: false },
    ]);
  });

  test('actions do not change the policy-set version (they change what is done, not what is found)', () => {
    const without = compilePolicySet(policy(undefined));
    const withActions = compilePolicySet(
      policy([{ kind: 'quarantine', approval: 'automatic', params: { contact: 'sec@acme.test' } }]),
    );
    expect(withActions.version).toBe(without.version);
  });

  test('an unknown kind, an unknown parameter and a bad parameter are refused with the YAML line and column', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'templates: []',
        'policies:',
        '  - id: ssn-public',
        '    name: SSNs',
        '    severity: high',
        '    filters: { accessLevels: [public] }',
        '    actions:',
        '      - kind: shred',
        '      - kind: restrict-shared-link',
        '        params: { access: everyone }',
        '      - kind: trash',
        '        params: { force: true }',
        '',
      ].join('\n'),
    );
    const err = await loadPolicySet(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicySetError);
    const issues = (err as PolicySetError).issues;
    expect(issues.find((i) => i.startsWith('policies.0.actions.0.kind'))).toMatch(
      /line 9, column 15.*one of remove-shared-link/,
    );
    expect(issues.find((i) => i.startsWith('policies.0.actions.1.params.access'))).toMatch(
      /line 11, column 27.*company or collaborators/,
    );
    expect(issues.find((i) => i.startsWith('policies.0.actions.2.params.force'))).toMatch(
      /line 13.*trash takes no parameter 'force'/,
    );
  });

  test('parameters that need one of two fields say so', () => {
    expect(parseGovernanceParams('set-shared-link-expiry', {}).success).toBe(false);
    expect(parseGovernanceParams('set-shared-link-expiry', { days: 3 }).success).toBe(true);
    expect(
      parseGovernanceParams('remove-collaborator', { login: 'a@b.test', collaborationId: '1' }).success,
    ).toBe(false);
    expect(parseGovernanceParams('notify-owner', { cc: ['not an address'] }).success).toBe(false);
    expect(parseGovernanceParams('notify-owner', undefined).success).toBe(true);
  });
});
