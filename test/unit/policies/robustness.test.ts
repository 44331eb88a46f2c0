import { createHash } from 'node:crypto';
import { compilePolicySet, inspectFile, INSPECTION_STATUSES } from '../../../policies';
import { buildDocx, buildPptx, buildXlsx } from '../../fixtures/corpus/ooxml-writers';
import { buildPdf } from '../../fixtures/corpus/pdf-writer';

const set = compilePolicySet({ version: 1 });
const LINES = [
  'Employee SSN: 536-22-8741',
  'Visa card on file: 4539 1488 0343 6467',
  'IBAN DE44 5001 0517 5407 3249 31',
];

/** Deterministic pseudo-random bytes, so a failure can be replayed. */
function bytes(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++)
    blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

async function inspect(name: string, content: Buffer) {
  return inspectFile({ name, size: content.length, content, sharing: { collaborators: [] } }, set);
}

describe('bad bytes never crash an inspection', () => {
  const extensions = ['txt', 'csv', 'html', 'json', 'docx', 'xlsx', 'pptx', 'pdf', 'bin', ''];

  it.each(extensions.map((e) => [e || 'no', e] as const))(
    'random bytes with %s extension get a known status and a reason',
    async (_label, extension) => {
      for (let i = 0; i < 12; i++) {
        const result = await inspect(
          extension ? `random.${extension}` : 'random',
          bytes(`${extension}:${i}`, 16 + i * 97),
        );
        expect(INSPECTION_STATUSES).toContain(result.status);
        expect(result.reason.length).toBeGreaterThan(5);
      }
    },
  );

  it.each([
    ['docx', () => buildDocx(LINES)],
    ['xlsx', () => buildXlsx(LINES)],
    ['pptx', () => buildPptx(LINES)],
    ['pdf', () => Promise.resolve(buildPdf(LINES))],
  ])('a .%s cut anywhere or with flipped bytes gets a known status', async (extension, build) => {
    const whole = await build();
    for (let i = 1; i <= 10; i++) {
      const cut = whole.subarray(0, Math.floor((whole.length * i) / 11));
      const flipped = Buffer.from(whole);
      for (let j = 0; j < 8; j++) flipped[(i * 131 + j * 977) % flipped.length]! ^= 0xff;
      for (const damaged of [cut, flipped]) {
        expect(INSPECTION_STATUSES).toContain((await inspect(`damaged.${extension}`, damaged)).status);
      }
    }
  });

  it('an Office document cut in half is Failed, not Completed with nothing found', async () => {
    const docx = await buildDocx(LINES);
    const result = await inspect('half.docx', docx.subarray(0, docx.length / 2));
    expect(result.status).toBe('Failed');
  });
});
