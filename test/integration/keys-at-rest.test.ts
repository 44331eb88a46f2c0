import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyRing, TokenCipher } from '../../box/token-cipher';
import { TokenVault } from '../../box/token-vault';
import { BoxTokensRepository } from '../../store/box-tokens-repository';
import { openStore } from '../../store/database';
import { tempDir } from '../helpers/api-server';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Runs one of the project's entry points with exactly this environment (plus PATH), bounded in time. */
function run(script: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(tsx, [join(root, script)], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('configuration refused at start and keys at rest, through the real entry points', () => {
  it.each(['api/main.ts', 'workers/main.ts'])(
    '%s refuses to start without ENCRYPTION_KEY when PUBLIC_BASE_URL is not loopback, and says why',
    (script) => {
      const { status, output } = run(script, {
        PUBLIC_BASE_URL: 'https://connect-box.example.com',
        DATABASE_URL: `sqlite:${join(tempDir('cb-refuse-'), 'store.sqlite')}`,
      });
      expect(status).toBe(1);
      expect(output).toContain('ENCRYPTION_KEY');
      expect(output).toContain(
        'required when PUBLIC_BASE_URL (https://connect-box.example.com) is not a loopback address',
      );
    },
  );

  it('workers/main.ts refuses a bad policy file at start, naming the YAML line and column', () => {
    const dir = tempDir('cb-policy-');
    const file = join(dir, 'policies.yaml');
    writeFileSync(file, 'version: 1\npolicies:\n  - id: x\n    name: X\n    severity: nope\n');
    const { status, output } = run('workers/main.ts', {
      POLICY_FILE: file,
      DATABASE_URL: `sqlite:${join(dir, 'store.sqlite')}`,
    });
    expect(status).toBe(1);
    expect(output).toMatch(/policies\.0\.severity \(line 5, column 15\)/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('npm run reseal-tokens moves every token to the current key, so the old key can be retired', async () => {
    const dir = tempDir('cb-reseal-');
    const databaseUrl = `sqlite:${join(dir, 'store.sqlite')}`;
    const oldHex = '11'.repeat(32);
    const newHex = '22'.repeat(32);
    const token = { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: Date.now() + 3_600_000 };
    let store = await openStore(databaseUrl);
    await new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(Buffer.from(oldHex, 'hex'))).save(
      'c1',
      token,
    );
    await store.close();

    const first = run('scripts/reseal-tokens.ts', {
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: newHex,
      ENCRYPTION_KEYS: oldHex,
    });
    expect(first.output).toContain('re-sealed 1 token(s)');
    expect(first.status).toBe(0);
    // Without the old key, the new key alone opens the token now.
    store = await openStore(databaseUrl);
    const vault = new TokenVault(
      new BoxTokensRepository(store.db),
      new TokenCipher(new KeyRing(Buffer.from(newHex, 'hex'))),
    );
    expect(await vault.load('c1')).toMatchObject(token);
    await store.close();
    // A token nobody can open any more is reported with its connector, and the exit code says so.
    const lost = run('scripts/reseal-tokens.ts', {
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: '33'.repeat(32),
    });
    expect(lost.status).toBe(1);
    expect(lost.output).toMatch(/connector c1: Stored Box tokens cannot be decrypted/);
    rmSync(dir, { recursive: true, force: true });
  });
});
