import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config';

/** Length of every key of connect-box (AES-256). */
export const KEY_BYTES = 32;

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
