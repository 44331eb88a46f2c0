import { createCipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KeyRing,
  TokenCipher,
  TokenDecryptionError,
  keyIdOf,
  resolveEncryptionKey,
  resolveKeyRing,
} from '../../../box/token-cipher';
import { ConfigError, loadConfig } from '../../../config/config';

const key = Buffer.alloc(32, 7);

describe('TokenCipher', () => {
  it('opens what it sealed', () => {
    const cipher = new TokenCipher(key);
    const sealed = cipher.encrypt('refresh-me', 'c1');
    expect(sealed.startsWith(`v2:${keyIdOf(key)}:`)).toBe(true);
    expect(sealed).not.toContain('refresh-me');
    expect(cipher.decrypt(sealed, 'c1')).toBe('refresh-me');
  });

  it('never seals the same secret to the same text twice', () => {
    const cipher = new TokenCipher(key);
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('rejects tampered data with a clear error', () => {
    const cipher = new TokenCipher(key);
    const [v, id, payload] = cipher.encrypt('secret').split(':') as [string, string, string];
    const raw = Buffer.from(payload, 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    const tampered = `${v}:${id}:${raw.toString('base64')}`;
    expect(() => cipher.decrypt(tampered)).toThrow(TokenDecryptionError);
    expect(() => cipher.decrypt(tampered)).toThrow(/altered data/);
  });

  it('rejects a wrong key', () => {
    const sealed = new TokenCipher(key).encrypt('secret');
    expect(() => new TokenCipher(Buffer.alloc(32, 8)).decrypt(sealed)).toThrow(TokenDecryptionError);
  });

  it('rejects a value sealed for another connector', () => {
    const cipher = new TokenCipher(key);
    expect(() => cipher.decrypt(cipher.encrypt('secret', 'c1'), 'c2')).toThrow(TokenDecryptionError);
  });

  it('rejects unknown formats and truncated data', () => {
    const cipher = new TokenCipher(key);
    expect(() => cipher.decrypt('plain text')).toThrow(/unknown format/);
    expect(() => cipher.decrypt('v1:AAAA')).toThrow(/truncated/);
    expect(() => cipher.decrypt(`v2:${keyIdOf(key)}:AAAA`)).toThrow(/truncated/);
  });

  it('names the key a value was sealed with when that key is not configured', () => {
    const sealed = new TokenCipher(Buffer.alloc(32, 9)).encrypt('secret');
    expect(() => new TokenCipher(key).decrypt(sealed)).toThrow(
      `sealed with key ${keyIdOf(Buffer.alloc(32, 9))}`,
    );
  });
});

describe('key rotation', () => {
  const oldKey = Buffer.alloc(32, 1);
  const newKey = Buffer.alloc(32, 2);

  it('opens values sealed with an old key of the ring, and seals with the current one', () => {
    const sealedOld = new TokenCipher(oldKey).encrypt('secret', 'c1');
    const rotated = new TokenCipher(new KeyRing(newKey, [oldKey]));
    expect(rotated.decrypt(sealedOld, 'c1')).toBe('secret');
    expect(rotated.needsReseal(sealedOld)).toBe(true);
    const resealed = rotated.encrypt('secret', 'c1');
    expect(rotated.needsReseal(resealed)).toBe(false);
    expect(resealed.split(':')[1]).toBe(keyIdOf(newKey));
    // Once re-sealed, the old key can go.
    expect(new TokenCipher(newKey).decrypt(resealed, 'c1')).toBe('secret');
  });

  it('still opens v1 values (sealed before key ids existed) with any key of the ring', () => {
    // v1: AES-256-GCM, AAD "v1:<context>", base64(iv | tag | ciphertext): what earlier versions stored.
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', oldKey, iv);
    c.setAAD(Buffer.from('v1:c1'));
    const ct = Buffer.concat([c.update('legacy', 'utf8'), c.final()]);
    const v1 = `v1:${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64')}`;
    const rotated = new TokenCipher(new KeyRing(newKey, [oldKey]));
    expect(rotated.decrypt(v1, 'c1')).toBe('legacy');
    expect(rotated.needsReseal(v1)).toBe(true);
    expect(() => new TokenCipher(newKey).decrypt(v1, 'c1')).toThrow(TokenDecryptionError);
  });

  it('key ids say nothing about the key', () => {
    expect(keyIdOf(oldKey)).toMatch(/^[0-9a-f]{8}$/);
    expect(oldKey.toString('hex')).not.toContain(keyIdOf(oldKey));
    expect(keyIdOf(oldKey)).not.toBe(keyIdOf(newKey));
  });
});

describe('configuration of keys', () => {
  it('refuses to start without ENCRYPTION_KEY when PUBLIC_BASE_URL is not loopback, and says why', () => {
    const err = (() => {
      try {
        loadConfig({ PUBLIC_BASE_URL: 'https://connect-box.example.com' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/ENCRYPTION_KEY.*required when PUBLIC_BASE_URL/);
    expect(() =>
      loadConfig({ PUBLIC_BASE_URL: 'https://connect-box.example.com', ENCRYPTION_KEY: 'cd'.repeat(32) }),
    ).not.toThrow();
    for (const local of [
      'http://127.0.0.1:3000',
      'http://localhost:3000',
      'http://[::1]:3000',
      'http://127.1.2.3',
    ])
      expect(() => loadConfig({ PUBLIC_BASE_URL: local })).not.toThrow();
  });

  it('reads ENCRYPTION_KEYS as the old keys and refuses a malformed list', () => {
    const config = loadConfig({ ENCRYPTION_KEYS: `${'01'.repeat(32)},${'02'.repeat(32)}` });
    expect(config.oldEncryptionKeysHex).toEqual(['01'.repeat(32), '02'.repeat(32)]);
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'nope' })).toThrow(/ENCRYPTION_KEYS/);
  });

  it('refuses a key that is not 256 bits', () => {
    expect(() => new TokenCipher(Buffer.alloc(16))).toThrow(/32-byte key/);
  });
});

describe('resolveEncryptionKey', () => {
  it('uses ENCRYPTION_KEY when it is set', () => {
    const hex = 'ab'.repeat(32);
    expect(resolveEncryptionKey({ encryptionKeyHex: hex }, '/nonexistent')).toEqual(Buffer.from(hex, 'hex'));
  });

  it('creates data/encryption.key with mode 0600 in a 0700 folder once and reuses it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cb-key-')), 'data');
    const first = resolveEncryptionKey({}, dir);
    const file = join(dir, 'encryption.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveEncryptionKey({}, dir)).toEqual(first);
    expect(first).toHaveLength(32);
  });

  it('makes a key file or data folder that others can read private again', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cb-key-')), 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const first = resolveEncryptionKey({}, dir);
    const file = join(dir, 'encryption.key');
    chmodSync(file, 0o644);
    expect(resolveEncryptionKey({}, dir)).toEqual(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('the key ring (what the API and the worker use) finds its key file in the configured DATA_DIR too', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cb-key-')), 'elsewhere');
    const ring = resolveKeyRing({ dataDir: dir });
    expect(readFileSync(join(dir, 'encryption.key'), 'utf8').trim()).toBe(ring.current.toString('hex'));
  });

  it('keeps the key file in the configured DATA_DIR', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cb-key-')), 'elsewhere');
    const key = resolveEncryptionKey({ dataDir: dir });
    expect(readFileSync(join(dir, 'encryption.key'), 'utf8').trim()).toBe(key.toString('hex'));
  });
});
