import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenCipher, TokenDecryptionError, resolveEncryptionKey } from '../../../box/token-cipher';

const key = Buffer.alloc(32, 7);

describe('TokenCipher', () => {
  it('opens what it sealed', () => {
    const cipher = new TokenCipher(key);
    const sealed = cipher.encrypt('refresh-me', 'c1');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(sealed).not.toContain('refresh-me');
    expect(cipher.decrypt(sealed, 'c1')).toBe('refresh-me');
  });

  it('never seals the same secret to the same text twice', () => {
    const cipher = new TokenCipher(key);
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('rejects tampered data with a clear error', () => {
    const cipher = new TokenCipher(key);
    const raw = Buffer.from(cipher.encrypt('secret').slice(3), 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => cipher.decrypt(`v1:${raw.toString('base64')}`)).toThrow(TokenDecryptionError);
    expect(() => cipher.decrypt(`v1:${raw.toString('base64')}`)).toThrow(/altered data/);
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

  it('creates data/encryption.key with mode 0600 once and reuses it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cb-key-')), 'data');
    const first = resolveEncryptionKey({}, dir);
    const file = join(dir, 'encryption.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveEncryptionKey({}, dir)).toEqual(first);
    expect(first).toHaveLength(32);
  });

  it('keeps the key file in the configured DATA_DIR', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cb-key-')), 'elsewhere');
    const key = resolveEncryptionKey({ dataDir: dir });
    expect(readFileSync(join(dir, 'encryption.key'), 'utf8').trim()).toBe(key.toString('hex'));
  });
});
