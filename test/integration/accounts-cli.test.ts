/**
 * `npm run accounts` through its real entry point (tsx scripts/accounts.ts) on a temporary SQLite store,
 * and the first-run admin that `npm start` creates (scripts/first-admin.ts).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';
import { AccountsRepository, signInRefusal } from '../../store/accounts-repository';
import { ApiTokensRepository } from '../../store/api-tokens-repository';
import { AuditRepository } from '../../store/audit-repository';
import { openStore, type Store } from '../../store/database';
import { ensureFirstAdmin } from '../../scripts/first-admin';
import { tempDir } from '../helpers/api-server';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Runs `scripts/accounts.ts <args>` on the store, with `stdin` as its input; resolves its exit and output. */
function accounts(
  databaseUrl: string,
  args: string[],
  stdin = '',
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [join(root, 'scripts', 'accounts.ts'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl },
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('npm run accounts', () => {
  const databaseUrl = `sqlite:${join(tempDir('cb-accounts-'), 'store.sqlite')}`;
  let store: Store;
  beforeAll(async () => {
    store = await openStore(databaseUrl);
  });
  afterAll(() => store.close());

  it('says how to use it, exit 2, on no command, an unknown one, or a bad argument', async () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['create'],
      ['create', 'x', '--role', 'root'],
      ['list', '--bogus'],
    ]) {
      const r = await accounts(databaseUrl, args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toContain('usage: npm run accounts -- <command>');
    }
    const help = await accounts(databaseUrl, ['help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('reset-password <login>');
  });

  it('creates accounts (generated password shown once, or from stdin), lists them, refuses duplicates', async () => {
    const created = await accounts(databaseUrl, [
      'create',
      'Alice',
      '--role',
      'analyst',
      '--name',
      'Alice A',
    ]);
    expect(created.status).toBe(0);
    const password = /password \(shown once, stored hashed\): (\S+)/.exec(created.stdout)?.[1];
    expect(password).toHaveLength(24);
    const repo = new AccountsRepository(store.db);
    expect((await repo.verifyPassword('alice', password!))?.display_name).toBe('Alice A');

    const fromStdin = await accounts(
      databaseUrl,
      ['create', 'bob', '--password-stdin'],
      'bobs long password\n',
    );
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stdout).not.toContain('shown once');
    expect((await repo.verifyPassword('bob', 'bobs long password'))?.role).toBe('viewer');

    const short = await accounts(databaseUrl, ['create', 'carl', '--password-stdin'], 'short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/refused: The password is too short: use at least 12 characters/);
    expect(await repo.findByLogin('carl')).toBeUndefined();

    const dup = await accounts(databaseUrl, ['create', 'ALICE']);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/'alice' already exists/);

    const list = await accounts(databaseUrl, ['list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^login\s+role\s+state/m);
    expect(list.stdout).toMatch(/^alice\s+analyst\s+active\s+password\s+never/m);
    expect(list.stdout).toMatch(/^bob\s+viewer\s+active/m);
    expect(list.stdout).not.toMatch(/argon2/);
  });

  it('sets roles, resets passwords (ending a lockout), disables and enables; refuses unknown logins', async () => {
    const repo = new AccountsRepository(store.db);
    expect((await accounts(databaseUrl, ['set-role', 'bob', 'admin'])).stdout).toContain(
      "'bob' is now admin",
    );
    expect((await repo.findByLogin('bob'))?.role).toBe('admin');

    const bob = (await repo.findByLogin('bob'))!;
    await repo.recordFailedSignIn(bob.id, 1, 3_600_000);
    expect(signInRefusal((await repo.findById(bob.id))!)).toBe('locked');
    const reset = await accounts(databaseUrl, ['reset-password', 'bob']);
    expect(reset.status).toBe(0);
    const fresh = /password \(shown once, stored hashed\): (\S+)/.exec(reset.stdout)![1]!;
    const after = (await repo.verifyPassword('bob', fresh))!;
    expect(signInRefusal(after)).toBeUndefined();
    expect(await repo.verifyPassword('bob', 'bobs long password')).toBeNull();

    expect((await accounts(databaseUrl, ['disable', 'alice'])).status).toBe(0);
    expect((await repo.findByLogin('alice'))?.disabled).toBe(1);
    expect((await accounts(databaseUrl, ['enable', 'alice'])).status).toBe(0);
    expect((await repo.findByLogin('alice'))?.disabled).toBe(0);

    const nobody = await accounts(databaseUrl, ['disable', 'nobody']);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toMatch(/no account with the login 'nobody'/);
    const lastAdmin = await accounts(databaseUrl, ['disable', 'bob']);
    expect(lastAdmin.status).toBe(1);
    expect(lastAdmin.stderr).toMatch(/last enabled admin/);
  });

  it('creates a personal token shown once, within the owner role', async () => {
    const r = await accounts(databaseUrl, ['token', 'alice', '--name', 'ci', '--expires-in-days', '7']);
    expect(r.status).toBe(0);
    const token = /^(cbx_pat_\S+)$/m.exec(r.stdout)?.[1];
    expect(token).toBeDefined();
    const check = await new ApiTokensRepository(store.db).check(token!);
    expect(check).toMatchObject({
      ok: true,
      role: 'analyst',
      user: { login: 'alice' },
      token: { name: 'ci' },
    });
    const higher = await accounts(databaseUrl, ['token', 'alice', '--role', 'admin']);
    expect(higher.status).toBe(1);
    expect(higher.stderr).toMatch(/owner's role or less/);
  });

  it('every change is in the audit log with actor kind cli', async () => {
    const { items } = await new AuditRepository(store.db).list({}, { limit: 100 });
    const cli = items.filter((e) => e.actor_kind === 'cli');
    expect(cli.map((e) => e.action).reverse()).toEqual([
      'account.create',
      'account.create',
      'account.update',
      'account.update',
      'account.update',
      'account.update',
      'token.create',
    ]);
    expect(cli.every((e) => e.actor_login.startsWith('cli:') && e.outcome === 'ok')).toBe(true);
    expect(JSON.stringify(items)).not.toMatch(/cbx_pat_|bobs long password/);
  });
});

describe('first run', () => {
  it('creates the admin account once, with ADMIN_PASSWORD or a generated password', async () => {
    const store = await openStore(`sqlite:${join(tempDir('cb-first-run-'), 'store.sqlite')}`);
    try {
      const config = loadConfig({ ADMIN_LOGIN: 'Root', ADMIN_PASSWORD: 'a configured password' });
      const first = await ensureFirstAdmin(store, config);
      expect(first).toEqual({ created: true, login: 'root' });
      const repo = new AccountsRepository(store.db);
      expect((await repo.verifyPassword('root', 'a configured password'))?.role).toBe('admin');
      expect(await ensureFirstAdmin(store, config)).toEqual({ created: false });
      const entries = (await new AuditRepository(store.db).list()).items;
      expect(entries).toMatchObject([{ actor_kind: 'system', action: 'account.create', outcome: 'ok' }]);
    } finally {
      await store.close();
    }
    const other = await openStore('sqlite::memory:');
    try {
      const generated = await ensureFirstAdmin(other, loadConfig({}));
      expect(generated).toMatchObject({ created: true, login: 'admin' });
      const password = (generated as { password: string }).password;
      expect(password).toHaveLength(24);
      expect(await new AccountsRepository(other.db).verifyPassword('admin', password)).not.toBeNull();
    } finally {
      await other.close();
    }
  });
});
