import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileToInspect } from '../../../policies';
import { compilePolicySet, InspectionPool, inspectFile, loadPolicySet } from '../../../policies';
import { buildDocx } from '../../fixtures/corpus/ooxml-writers';

const sharing = { sharedLink: { access: 'open' as const }, collaborators: [] };

describe('InspectionPool', () => {
  let pool: InspectionPool;
  beforeAll(() => {
    pool = new InspectionPool({ threads: 2 });
  });
  afterAll(() => pool.close());

  it('inspects in worker threads with the result the calling thread gets', async () => {
    const set = compilePolicySet({ version: 1 });
    const docx = await buildDocx(['Employee SSN: 536-22-8741', 'card 4556737586899855']);
    const files: FileToInspect[] = [
      { name: 'staff.docx', size: docx.length, content: docx, sharing },
      {
        name: 'notes.txt',
        size: 24,
        content: Buffer.from('ghp_R4nd0mT0k3nF0rC0rpu5Xy9Zq8Wv7Ut6Sr5Q'),
        sharing,
      },
    ];
    expect(pool.threads).toBe(2);
    const inPool = await Promise.all(files.map((f) => pool.inspect(f, set)));
    const inThread = await Promise.all(files.map((f) => inspectFile(f, set)));
    expect(inPool).toEqual(inThread);
    expect(inPool[0]!.detectorCounts).toMatchObject({ us_ssn: 1, credit_card: 1 });
  }, 30_000);

  it('a policy file is compiled in the threads from its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pool-'));
    try {
      const path = join(dir, 'policies.yaml');
      await writeFile(
        path,
        'version: 1\ntemplates: []\npolicies:\n  - { id: p, name: P, severity: low, content: { detectors: [{ detector: us_ssn }] } }\n',
      );
      const set = await loadPolicySet(path);
      const r = await pool.inspect(
        { name: 'a.txt', size: 25, content: Buffer.from('Employee SSN: 536-22-8741'), sharing },
        set,
      );
      expect(r.matches.map((m) => m.policyId)).toEqual(['p']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a failed task is a Failed inspection with the reason, metadata policies still judged', async () => {
    const set = compilePolicySet({ version: 1 });
    const changed = { ...set, version: 'not-the-version-the-thread-compiles' };
    const r = await pool.inspect(
      { name: 'a.txt', size: 25, content: Buffer.from('Employee SSN: 536-22-8741'), sharing },
      changed,
    );
    expect(r.status).toBe('Failed');
    expect(r.reason).toMatch(/^the inspection thread failed: the worker compiled policy-set version/);
    expect(r.matches.map((m) => m.policyId)).toEqual(['exposure-public-link']);
  }, 30_000);

  it('with no threads, inspects in the calling thread', async () => {
    const inline = new InspectionPool({ threads: 0 });
    const set = compilePolicySet({ version: 1 });
    const r = await inline.inspect({ name: 'a.txt', size: 3, content: Buffer.from('abc'), sharing }, set);
    expect(inline.threads).toBe(0);
    expect(r.status).toBe('Completed');
    await inline.close();
  });

  it('an urgent file goes before the files already waiting for a thread', async () => {
    const one = new InspectionPool({ threads: 1 });
    try {
      const set = compilePolicySet({ version: 1 });
      const text = Buffer.from('quarterly numbers 4556737586899855 and more words\n'.repeat(8000));
      const file = (name: string): FileToInspect => ({ name, size: text.length, content: text, sharing });
      await one.inspect(file('warm-up.txt'), set);
      const finished: string[] = [];
      const run = (name: string, urgent: boolean) =>
        one.inspect(file(name), set, undefined, urgent).then(() => finished.push(name));
      const waiting = [1, 2, 3, 4, 5, 6].map((i) => run(`walk-${i}.txt`, false));
      await Promise.all([...waiting, run('edited.txt', true)]);
      // The thread was busy with walk-1 when the edit came; it takes the edit next, not after walk-6.
      expect(finished.indexOf('edited.txt')).toBeLessThanOrEqual(1);
      expect(finished.filter((n) => n.startsWith('walk-'))).toEqual(
        [1, 2, 3, 4, 5, 6].map((i) => `walk-${i}.txt`),
      );
    } finally {
      await one.close();
    }
  }, 60_000);
});
