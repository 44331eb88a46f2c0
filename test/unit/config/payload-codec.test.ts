import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationFailure,
  defaultPayloadConverter,
  METADATA_ENCODING_KEY,
  type Payload,
} from '@temporalio/common';
import {
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import { loadConfig } from '../../../config/config';
import { keyIdOf } from '../../../config/key-ring';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  PayloadKeyUnknownError,
  payloadCodecOf,
  payloadKeysOf,
  temporalDataConverter,
} from '../../../config/payload-codec';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (p: Payload): unknown => defaultPayloadConverter.fromPayload(p);
const secret = { adminLogin: 'admin@northwind.example', enterpriseId: '8675309', fileId: 'f-31337' };

describe('EncryptionCodec (AES-256-GCM Temporal payload codec)', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  it('round-trips payloads, and the encoded form names its key and carries no clear text', async () => {
    const codec = new EncryptionCodec([keyA]);
    const [encoded] = await codec.encode([payloadOf(secret)]);
    expect(text(encoded!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe(keyIdOf(keyA));
    const wire = Buffer.concat([Buffer.from(JSON.stringify(encoded!.metadata)), Buffer.from(encoded!.data!)]);
    for (const clear of [...Object.values(secret), 'json/plain']) expect(wire.includes(clear)).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(text(decoded!.metadata![METADATA_ENCODING_KEY])).toBe('json/plain');
    expect(valueOf(decoded!)).toEqual(secret);
  });

  it('encrypts the same payload differently each time (fresh IV)', async () => {
    const codec = new EncryptionCodec([keyA]);
    const [one, two] = await codec.encode([payloadOf('same'), payloadOf('same')]);
    expect(Buffer.from(one!.data!).equals(Buffer.from(two!.data!))).toBe(false);
  });

  it('rotation: the first key encrypts, every listed key still decrypts what it encrypted', async () => {
    const [old] = await new EncryptionCodec([keyA]).encode([payloadOf('before rotation')]);
    const rotated = new EncryptionCodec([keyB, keyA]);
    expect(rotated.currentKeyId).toBe(keyIdOf(keyB));
    const [fresh] = await rotated.encode([payloadOf('after rotation')]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe(keyIdOf(keyB));
    const decoded = await rotated.decode([old!, fresh!]);
    expect(decoded.map(valueOf)).toEqual(['before rotation', 'after rotation']);
  });

  it('an unknown key id fails with an error naming the id and what to configure', async () => {
    const [encoded] = await new EncryptionCodec([keyA]).encode([payloadOf('x')]);
    const err: unknown = await new EncryptionCodec([keyB]).decode([encoded!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadKeyUnknownError);
    expect((err as Error).message).toContain(keyIdOf(keyA));
    expect((err as Error).message).toContain('TEMPORAL_PAYLOAD_KEYS');
  });

  it('a tampered payload, a relabelled key id or a truncated one does not decode', async () => {
    const codec = new EncryptionCodec([keyA, keyB]);
    const [encoded] = await codec.encode([payloadOf('untouched')]);
    const flipped = Buffer.from(encoded!.data!);
    flipped[flipped.length - 1]! ^= 1;
    await expect(codec.decode([{ ...encoded!, data: flipped }])).rejects.toThrow(PayloadDecryptionError);
    const relabelled = { ...encoded!.metadata!, [KEY_ID_METADATA]: Buffer.from(keyIdOf(keyB)) };
    await expect(codec.decode([{ ...encoded!, metadata: relabelled }])).rejects.toThrow(
      /authentication failed/,
    );
    await expect(codec.decode([{ ...encoded!, data: flipped.subarray(0, 10) }])).rejects.toThrow(/truncated/);
    const noId = { [METADATA_ENCODING_KEY]: encoded!.metadata![METADATA_ENCODING_KEY]! };
    await expect(codec.decode([{ ...encoded!, metadata: noId }])).rejects.toThrow(/encryption-key-id/);
  });

  it('passes through payloads it did not encrypt (histories from before the codec, plain clients)', async () => {
    const codec = new EncryptionCodec([keyA]);
    const plain = [payloadOf({ hello: 'world' }), payloadOf(undefined), payloadOf(new Uint8Array([1, 2]))];
    const decoded = await codec.decode(plain);
    expect(decoded).toEqual(plain);
  });
});

describe('payload keys from configuration', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'payload-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('TEMPORAL_PAYLOAD_KEYS: base64 keys, the first encrypts', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const config = loadConfig({
      DATA_DIR: dir,
      TEMPORAL_PAYLOAD_KEYS: `${a.toString('base64')},${b.toString('base64')}`,
    });
    expect(payloadKeysOf(config)).toEqual([a, b]);
    expect(payloadCodecOf(config).keyIds()).toEqual([keyIdOf(a), keyIdOf(b)]);
  });

  it('a key that is not 32 bytes of base64 is refused, naming the setting', () => {
    expect(() =>
      loadConfig({ DATA_DIR: dir, TEMPORAL_PAYLOAD_KEYS: randomBytes(16).toString('base64') }),
    ).toThrow(/TEMPORAL_PAYLOAD_KEYS.*32-byte/);
  });

  it('unset: derived from the encryption key, the same in every process, never the key itself', () => {
    const key = randomBytes(32).toString('hex');
    const one = payloadKeysOf(loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: key }));
    const two = payloadKeysOf(loadConfig({ DATA_DIR: join(dir, 'elsewhere'), ENCRYPTION_KEY: key }));
    expect(one).toHaveLength(1);
    expect(one).toEqual(two);
    expect(one[0]!.equals(Buffer.from(key, 'hex'))).toBe(false);
  });

  it('unset, no ENCRYPTION_KEY: derived from DATA_DIR/encryption.key, so npm start and its processes agree', () => {
    const first = payloadKeysOf(loadConfig({ DATA_DIR: dir }));
    const second = payloadKeysOf(loadConfig({ DATA_DIR: dir }));
    expect(first).toEqual(second);
    expect(payloadKeysOf(loadConfig({ DATA_DIR: join(dir, 'other') }))).not.toEqual(first);
  });

  it('unset, with ENCRYPTION_KEYS: payloads of the older token key still decrypt after its rotation', async () => {
    const [older, newer] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    const before = payloadCodecOf(loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: older }));
    const [encoded] = await before.encode([payloadOf('sealed before')]);
    const after = payloadCodecOf(
      loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: newer, ENCRYPTION_KEYS: older }),
    );
    expect(after.currentKeyId).not.toBe(before.currentKeyId);
    expect((await after.decode([encoded!])).map(valueOf)).toEqual(['sealed before']);
  });
});

describe('temporalDataConverter: failures are encrypted too', () => {
  it("an error's message and stack travel encoded and encrypted, and come back whole", async () => {
    const converter = loadDataConverter(
      temporalDataConverter(loadConfig({ ENCRYPTION_KEY: randomBytes(32).toString('hex') })),
    );
    const error = ApplicationFailure.nonRetryable(
      `admin ${secret.adminLogin} is not an admin`,
      'BoxNotAdmin',
    );
    const failure = await encodeErrorToFailure(converter, error);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    const attributes = failure.encodedAttributes!;
    expect(text(attributes.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(attributes.data!).includes(secret.adminLogin)).toBe(false);
    const back = await decodeOptionalFailureToOptionalError(converter, failure);
    expect(back).toBeInstanceOf(ApplicationFailure);
    expect((back as ApplicationFailure).message).toBe(`admin ${secret.adminLogin} is not an admin`);
    expect((back as ApplicationFailure).type).toBe('BoxNotAdmin');
  });
});
