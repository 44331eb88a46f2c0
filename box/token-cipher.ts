import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

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

/** The id of a key as sealed values name it: 8 hex characters of a hash of the key (never the key). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('connect-box key id\0').update(key).digest('hex').slice(0, 8);
}

/** The current key (seals) and older keys (still open what they sealed): how keys are rotated. */
export class KeyRing {
  /** Id of the current key. */
  readonly currentId: string;
  private readonly byId = new Map<string, Buffer>();

  constructor(
    readonly current: Buffer,
    readonly old: readonly Buffer[] = [],
  ) {
    for (const key of [current, ...old]) {
      if (key.length !== KEY_BYTES) throw new Error(`A ${KEY_BYTES}-byte key is needed, got ${key.length}`);
      if (!this.byId.has(keyIdOf(key))) this.byId.set(keyIdOf(key), key);
    }
    this.currentId = keyIdOf(current);
  }

  /** The key with this id, if configured. */
  get(id: string): Buffer | undefined {
    return this.byId.get(id);
  }

  /** Every key, current first. */
  all(): Buffer[] {
    return [...this.byId.values()];
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

/**
 * The keys: ENCRYPTION_KEY (current) when set, else `<dataDir>/encryption.key`; ENCRYPTION_KEYS (older keys,
 * comma-separated) after it.
 */
export function resolveKeyRing(
  config: Pick<Config, 'encryptionKeyHex' | 'oldEncryptionKeysHex'> & Partial<Pick<Config, 'dataDir'>>,
  dataDir = config.dataDir ?? 'data',
): KeyRing {
  return new KeyRing(
    resolveEncryptionKey(config, dataDir),
    (config.oldEncryptionKeysHex ?? []).map((hex) => Buffer.from(hex, 'hex')),
  );
}

/**
 * The current encryption key: ENCRYPTION_KEY when set; otherwise `<dataDir>/encryption.key`, created with
 * mode 0600 in a folder of mode 0700 on first use (exclusively, so two processes starting together agree on
 * one key) and reused; a key file or folder others can read is made private again.
 */
export function resolveEncryptionKey(
  config: Pick<Config, 'encryptionKeyHex'> & Partial<Pick<Config, 'dataDir'>>,
  dataDir = config.dataDir ?? 'data',
): Buffer {
  if (config.encryptionKeyHex) return Buffer.from(config.encryptionKeyHex, 'hex');
  const file = join(dataDir, 'encryption.key');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  makePrivate(dataDir, 0o700);
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
  makePrivate(file, 0o600);
  return readKeyFile(file);
}

/** Removes group and other permissions from a path we own (a key readable by others is no secret). */
function makePrivate(path: string, mode: number): void {
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, mode);
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
