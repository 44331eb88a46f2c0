import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import {
  METADATA_ENCODING_KEY,
  ValueError,
  type DataConverter,
  type Payload,
  type PayloadCodec,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Config } from './config';
import { KEY_BYTES, keyIdOf, resolveKeyRing } from './key-ring';

/** `encoding` metadata of a payload this codec encrypted (any other payload is passed through as it is). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key (keyIdOf) a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Thrown when an encrypted payload names a key this process does not have. */
export class PayloadKeyUnknownError extends ValueError {
  constructor(readonly keyId: string) {
    super(
      `A Temporal payload is encrypted with key ${keyId}, which is not configured here: add that key to ` +
        'TEMPORAL_PAYLOAD_KEYS (after the current one), or, when the keys are derived, put the encryption key ' +
        'it came from back in ENCRYPTION_KEY or ENCRYPTION_KEYS.',
    );
  }
}

/** Thrown when an encrypted payload does not open: altered, truncated, or without its key id. */
export class PayloadDecryptionError extends ValueError {
  constructor(readonly reason: string) {
    super(`A Temporal payload cannot be decrypted (${reason}).`);
  }
}

/**
 * AES-256-GCM payload codec. The first key encrypts; every key still decrypts what it encrypted (rotation),
 * found by the key id in the payload's metadata. The whole payload (its metadata and data) is the
 * ciphertext, and the key id is authenticated with it. Payloads without this codec's encoding (histories
 * written before it, search attributes) pass through unchanged, so running workflows keep working.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId = new Map<string, Buffer>();
  /** Id of the key that encrypts. */
  readonly currentKeyId: string;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    for (const key of keys) {
      if (key.length !== KEY_BYTES) throw new Error(`A ${KEY_BYTES}-byte key is needed, got ${key.length}`);
      if (!this.byId.has(keyIdOf(key))) this.byId.set(keyIdOf(key), key);
    }
    this.currentKeyId = keyIdOf(keys[0]!);
  }

  /** Ids of every key, the encrypting one first. */
  keyIds(): string[] {
    return [...this.byId.keys()];
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.currentKeyId;
    const key = this.byId.get(keyId)!;
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        cipher.setAAD(aadOf(keyId));
        const plain = ProtoPayload.encode(payload).finish();
        const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
        return {
          metadata: {
            [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING),
            [KEY_ID_METADATA]: utf8.encode(keyId),
          },
          data: new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), sealed])),
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decodeOne(payload))));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new PayloadDecryptionError(`no ${KEY_ID_METADATA} in its metadata`);
    const keyId = fromUtf8.decode(idBytes);
    const key = this.byId.get(keyId);
    if (!key) throw new PayloadKeyUnknownError(keyId);
    const raw = Buffer.from(payload.data ?? new Uint8Array());
    if (raw.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('truncated data');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(aadOf(keyId));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`authentication failed with key ${keyId}: the payload was altered`);
    }
    const decoded = ProtoPayload.decode(plain);
    return { metadata: decoded.metadata, data: decoded.data };
  }
}

/** The key id is authenticated with the ciphertext: a payload relabelled with another id does not open. */
function aadOf(keyId: string): Buffer {
  return Buffer.from(`connect-box temporal payload\0${keyId}`);
}

/** What HKDF derives payload keys with (from each token key), so they never equal a token key. */
const DERIVATION_SALT = Buffer.from('connect-box');
const DERIVATION_INFO = Buffer.from('temporal payload codec v1');

/**
 * The payload keys, the encrypting one first: TEMPORAL_PAYLOAD_KEYS when set; otherwise one key derived
 * (HKDF-SHA256) from each key of the token key ring (ENCRYPTION_KEY or DATA_DIR/encryption.key, then
 * ENCRYPTION_KEYS), so every process of a stack that shares those agrees without another setting, and a
 * rotated token key still decrypts the payloads of its time.
 */
export function payloadKeysOf(config: Config): Buffer[] {
  const configured = config.temporal.payloadKeysBase64;
  if (configured && configured.length > 0) return configured.map((b64) => Buffer.from(b64, 'base64'));
  return resolveKeyRing(config)
    .all()
    .map((key) => Buffer.from(hkdfSync('sha256', key, DERIVATION_SALT, DERIVATION_INFO, KEY_BYTES)));
}

/** The payload codec of this configuration (the codec endpoint uses it too). */
export function payloadCodecOf(config: Config): EncryptionCodec {
  return new EncryptionCodec(payloadKeysOf(config));
}

/** Path of the module exporting the failure converter (it is loaded in the workflow sandbox too). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter of every Temporal client and worker of connect-box: payloads encrypted by
 * EncryptionCodec (outside the workflow sandbox), failures' messages and stack traces encoded so that they
 * are encrypted too.
 */
export function temporalDataConverter(config: Config): DataConverter {
  return { payloadCodecs: [payloadCodecOf(config)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
