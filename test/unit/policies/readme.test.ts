import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compilePolicySet, DETECTOR_IDS, INSPECTION_STATUSES, TEMPLATE_IDS } from '../../../policies';

/** A table row of the README whose first cell is `name` in code style. */
const rowFor = (name: string) => new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, 'm');
const readme = readFileSync(join(__dirname, '..', '..', '..', 'policies', 'README.md'), 'utf8');

describe('policies/README.md', () => {
  it('its example policy file is valid', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const set = compilePolicySet(parseYaml(example!), 'README example');
    expect(set.policies.map((p) => p.id)).toContain('hr-ssn-outside');
  });

  it.each(DETECTOR_IDS)('documents the detector %s', (id) => {
    expect(readme).toMatch(rowFor(id));
  });

  it.each(TEMPLATE_IDS)('documents the template %s', (id) => {
    expect(readme).toMatch(rowFor(id));
  });

  it.each(INSPECTION_STATUSES)('documents the status %s', (status) => {
    expect(readme).toMatch(rowFor(status));
  });
});
