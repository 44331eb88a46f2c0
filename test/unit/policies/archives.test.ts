import { gzipSync } from 'node:zlib';
import JSZip from 'jszip';
import type { FileToInspect } from '../../../policies';
import { compilePolicySet, inspectFile, needsContent } from '../../../policies';
import { buildDocx } from '../../fixtures/corpus/ooxml-writers';

const set = compilePolicySet({ version: 1 });
const sharing = { collaborators: [] };
const file = (name: string, content: Buffer): FileToInspect => ({
  name,
  size: content.length,
  content,
  sharing,
});
async function zipOf(files: Record<string, Buffer | string>, level = 6): Promise<Buffer> {
  const zip = new JSZip();
  for (const [path, content] of Object.entries(files)) zip.file(path, content);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level } });
}

describe('archives', () => {
  it('a .zip is inspected member by member, each with its status, findings saying which member', async () => {
    const docx = await buildDocx(['Employee SSN: 536-22-8741']);
    const inner = await zipOf({ 'keys.txt': 'aws_access_key_id = AKIA2E0A8F3B244C9986' });
    const zip = await zipOf({
      'hr/staff.docx': docx,
      'notes.txt': 'card 4556737586899855',
      'photo.png': Buffer.from('89504e470d0a1a0a', 'hex'),
      'nested/inner.zip': inner,
    });
    expect(needsContent(set, { name: 'export.zip', size: zip.length, sharing })).toBe(true);
    const r = await inspectFile(file('export.zip', zip), set);
    expect(r.status).toBe('Completed');
    expect(r.reason).toBe('3 of 4 members of the zip archive inspected');
    expect(r.detectorCounts).toMatchObject({ us_ssn: 1, credit_card: 1, aws_access_key: 1 });
    expect(r.members?.map((m) => [m.path, m.status])).toEqual([
      ['hr/staff.docx', 'Completed'],
      ['notes.txt', 'Completed'],
      ['photo.png', 'Unsupported'],
      ['nested/inner.zip/keys.txt', 'Completed'],
    ]);
    const ssn = r.matches.find((m) => m.policyId === 'pii-us-ssn')!.samples[0]!;
    expect(ssn.section).toEqual({ kind: 'member', number: 1, name: 'hr/staff.docx' });
  });

  it('a single-file .gz is inspected as its one member', async () => {
    const gz = gzipSync(Buffer.from('Employee SSN: 536-22-8741'));
    const r = await inspectFile(file('dump.txt.gz', gz), set);
    expect(r.status).toBe('Completed');
    expect(r.members).toEqual([expect.objectContaining({ path: 'dump.txt', status: 'Completed' })]);
    expect(r.detectorCounts.us_ssn).toBe(1);
  });

  it('guards: compression ratio, member count, total bytes and depth each stop their member with a reason', async () => {
    const bomb = await zipOf({ 'zeros.txt': Buffer.alloc(5_000_000), 'ok.txt': 'SSN 536-22-8741' }, 9);
    const r = await inspectFile(file('bomb.zip', bomb), set);
    expect(r.members?.[0]).toMatchObject({ path: 'zeros.txt', status: 'Failed' });
    expect(r.members?.[0]?.reason).toMatch(/expands \d+ times, more than 100/);
    expect(r.members?.[1]).toMatchObject({ path: 'ok.txt', status: 'Completed' });

    const many = await zipOf({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    const counted = await inspectFile(file('many.zip', many), set, { maxArchiveMembers: 2 });
    expect(counted.members?.[2]).toMatchObject({ path: 'c.txt', status: 'SizeExceeded' });

    const big = await zipOf({ 'a.txt': 'x'.repeat(600), 'b.txt': 'y'.repeat(600) }, 0);
    const total = await inspectFile(file('big.zip', big), set, { maxUncompressedBytes: 1_000 });
    expect(total.members?.map((m) => m.status)).toEqual(['Completed', 'SizeExceeded']);

    const deep = await zipOf({ 'l2.zip': await zipOf({ 'l3.zip': await zipOf({ 'x.txt': 'x' }) }) });
    const nested = await inspectFile(file('deep.zip', deep), set, { maxArchiveDepth: 2 });
    expect(nested.members).toEqual([
      expect.objectContaining({ path: 'l2.zip/l3.zip', status: 'Unsupported' }),
    ]);
    expect(nested.status).toBe('Unsupported');
  });

  it('a corrupt archive fails with a reason', async () => {
    const r = await inspectFile(file('broken.zip', Buffer.from('PK\x03\x04garbage')), set);
    expect(r.status).toBe('Failed');
    expect(r.reason).toMatch(/not a readable zip/);
  });
});
