import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_BYTES, KeyRing } from '../config/key-ring';

// The keys live in config/ (the Temporal payload codec derives its keys from them too); re-exported here
// for the token vault's callers.
export { KeyRing, keyIdOf, resolveEncryptionKey, resolveKeyRing } from '../config/key-ring';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a sealed token cannot be opened: wrong key, tampered or truncated data, unknown format. */
export class TokenDecryptionError extends Error {
  constructor(readonly reason: string) {
    super(
      `Stored Box tokens cannot be decrypted (${reason}). The encryption key (ENCRYPTION_KEY or ` +
        'data/encryption.key) changed or the stored data was altered; put the old key in ENCRYPTION_KEYS, ' +
        'or authorize the connector again.',
    );
  }
}

/**
 * Seals and opens secrets with AES-256-GCM. The sealed form is `v2:<key id>:` + base64(iv | tag |
 * ciphertext), so a rotated key is found by its id; `v1:` values (no key id, sealed before key ids) still
 * open with any configured key.
 */
export class TokenCipher {
  private readonly keys: KeyRing;

  constructor(keys: KeyRing | Buffer) {
    if (Buffer.isBuffer(keys) && keys.length !== KEY_BYTES)
      throw new Error(`TokenCipher needs a ${KEY_BYTES}-byte key, got ${keys.length}`);
    this.keys = Buffer.isBuffer(keys) ? new KeyRing(keys) : keys;
  }

  /**
   * Encrypts with the current key and a fresh random IV: the same input never seals to the same output
   * twice. `context` (e.g. the connector id) is authenticated too, so a sealed value only opens under the
   * same context.
   */
  encrypt(plain: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const prefix = `v2:${this.keys.currentId}`;
    const cipher = createCipheriv('aes-256-gcm', this.keys.current, iv);
    cipher.setAAD(Buffer.from(`${prefix}:${context}`));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${prefix}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  /** Decrypts and authenticates; throws TokenDecryptionError on any mismatch (key, data or context). */
  decrypt(sealed: string, context = ''): string {
    const parts = sealed.split(':');
    if (parts[0] === 'v2' && parts.length === 3) {
      const [, keyId, payload] = parts as [string, string, string];
      const key = this.keys.get(keyId);
      if (!key) throw new TokenDecryptionError(`sealed with key ${keyId}, which is not configured`);
      return open(key, payload, `v2:${keyId}:${context}`);
    }
    if (parts[0] === 'v1' && parts.length === 2) {
      let last: unknown;
      for (const key of this.keys.all()) {
        try {
          return open(key, parts[1]!, `v1:${context}`);
        } catch (err) {
          last = err;
        }
      }
      throw last;
    }
    throw new TokenDecryptionError('unknown format');
  }

  /** True when `sealed` is not sealed with the current key (a re-seal would move it to it). */
  needsReseal(sealed: string): boolean {
    return !sealed.startsWith(`v2:${this.keys.currentId}:`);
  }
}

function open(key: Buffer, payload: string, aad: string): string {
  const raw = Buffer.from(payload, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new TokenDecryptionError('truncated data');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new TokenDecryptionError('authentication failed: wrong key, altered data or another record');
  }
}
