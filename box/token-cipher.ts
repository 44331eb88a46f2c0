import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Thrown when a sealed token cannot be opened: wrong key, tampered or truncated data, unknown format. */
export class TokenDecryptionError extends Error {
  constructor(readonly reason: string) {
    super(
      `Stored Box tokens cannot be decrypted (${reason}). The encryption key (ENCRYPTION_KEY or ` +
        'data/encryption.key) changed or the stored data was altered; restore the original key, or ' +
        'authorize the connector again.',
    );
  }
}

/** Seals and opens secrets with AES-256-GCM; the sealed form is `v1:` + base64(iv | tag | ciphertext). */
export class TokenCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES)
      throw new Error(`TokenCipher needs a ${KEY_BYTES}-byte key, got ${key.length}`);
  }

  /**
   * Encrypts with a fresh random IV: the same input never seals to the same output twice. `context`
   * (e.g. the connector id) is authenticated too, so a sealed value only opens under the same context.
   */
  encrypt(plain: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}:${context}`));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  /** Decrypts and authenticates; throws TokenDecryptionError on any mismatch (key, data or context). */
  decrypt(sealed: string, context = ''): string {
    const [version, payload] = sealed.split(':', 2);
    if (version !== VERSION || payload === undefined) throw new TokenDecryptionError('unknown format');
    const raw = Buffer.from(payload, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new TokenDecryptionError('truncated data');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${VERSION}:${context}`));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new TokenDecryptionError('authentication failed: wrong key, altered data or another record');
    }
  }
}

/**
 * The token encryption key: ENCRYPTION_KEY when set; otherwise `<dataDir>/encryption.key`, created with
 * mode 0600 on first use (exclusively, so two processes starting together agree on one key) and reused.
 */
export function resolveEncryptionKey(
  config: Pick<Config, 'encryptionKeyHex'> & Partial<Pick<Config, 'dataDir'>>,
  dataDir = config.dataDir ?? 'data',
): Buffer {
  if (config.encryptionKeyHex) return Buffer.from(config.encryptionKeyHex, 'hex');
  const file = join(dataDir, 'encryption.key');
  mkdirSync(dataDir, { recursive: true });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(KEY_BYTES).toString('hex') + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readKeyFile(file);
}

function readKeyFile(file: string): Buffer {
  // A process that lost the creation race may read before the winner's write lands: retry briefly.
  for (let attempt = 0; ; attempt++) {
    const text = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
    if (text !== '' || attempt >= 50) {
      throw new Error(
        `${file} does not hold a 64-hex-character key; fix or delete it (tokens sealed with it are lost).`,
      );
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
