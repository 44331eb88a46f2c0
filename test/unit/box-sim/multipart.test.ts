/** box-sim's multipart/form-data reader (uploads), on the bytes box-node-sdk's form-data sends. */
import { FormData } from 'box-node-sdk/internal/utils';
import { parseMultipart } from '../../../box-sim/handlers/changes';

async function encode(form: InstanceType<typeof FormData>): Promise<{ body: Buffer; type: string }> {
  const chunks: Buffer[] = [];
  const stream = form as unknown as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer | string) => chunks.push(Buffer.from(c)));
    stream.on('end', resolve);
    stream.on('error', reject);
    stream.resume();
  });
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${form.getBoundary()}` };
}

describe('parseMultipart', () => {
  test('reads the attributes part and the file part with its bytes intact', async () => {
    const bytes = Buffer.from([0, 13, 10, 45, 45, 255, 1, 13, 10, 13, 10, 2]);
    const form = new FormData();
    form.append('attributes', JSON.stringify({ name: 'n.bin', parent: { id: '0' } }));
    form.append('file', bytes, { filename: 'n.bin', contentType: 'application/octet-stream' });
    const { body, type } = await encode(form);
    const parts = parseMultipart(body, type);
    expect(parts.map((p) => [p.name, p.filename])).toEqual([
      ['attributes', undefined],
      ['file', 'n.bin'],
    ]);
    expect(JSON.parse(parts[0]!.data.toString('utf8'))).toEqual({ name: 'n.bin', parent: { id: '0' } });
    expect(parts[1]!.data.equals(bytes)).toBe(true);
  });

  test('a body without a boundary is refused', () => {
    expect(() => parseMultipart(Buffer.from('x'), 'multipart/form-data')).toThrow(/boundary/);
  });
});
