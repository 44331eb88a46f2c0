/**
 * `npm run accounts -- <command>`: manages accounts on the store of DATABASE_URL (the same settings as the
 * API), e.g. to create the first accounts, reset a password, or get back in when the only admin is locked
 * out. Every change writes an audit entry (actor kind `cli`, actor `cli:<OS user>`). Passwords never go on
 * the command line (other users can read it): they are generated and shown once, or read from stdin with
 * --password-stdin. Exit codes: 0 done, 1 refused (the message says why), 2 usage.
 */
import { userInfo } from 'node:os';
import { loadConfig } from '../config/config';
import { RoleSchema, roleAllows, type Role } from '../domain/roles';
import {
  AccountsRepository,
  DuplicateLoginError,
  InvalidLoginError,
  PasswordPolicyError,
  type UserRecord,
} from '../store/accounts-repository';
import { ApiTokensRepository } from '../store/api-tokens-repository';
import { AuditRepository } from '../store/audit-repository';
import { openStore, type Store } from '../store/database';
import { randomPassword } from './first-admin';

const USAGE = `usage: npm run accounts -- <command> [arguments]

  list                                  every account: login, role, state, last sign-in
  create <login> [--role viewer|analyst|admin] [--name "Display Name"] [--password-stdin]
                                        a new account (role viewer unless given); its password is generated
                                        and shown once, or read from stdin
  set-role <login> <viewer|analyst|admin>
  reset-password <login> [--password-stdin]
                                        a new password (generated and shown once, or from stdin); ends a lockout
  disable <login>                       the account can no longer sign in, and its tokens stop working
  enable <login>
  token <login> [--name NAME] [--role ROLE] [--expires-in-days N]
                                        a personal API token for that account, shown once

Works on the store of DATABASE_URL (default: sqlite in DATA_DIR). Passwords: at least 12 characters.`;

/** A refusal with a message for the operator (exit 1). */
class CliError extends Error {}
/** A usage error (exit 2). */
class UsageError extends Error {}

interface Parsed {
  command: string;
  positional: string[];
  options: Map<string, string | true>;
}

const VALUED = new Set(['--role', '--name', '--expires-in-days']);
const FLAGS = new Set(['--password-stdin']);

function parse(argv: string[]): Parsed {
  const [command = '', ...rest] = argv;
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (VALUED.has(arg)) {
      const value = rest[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      options.set(arg, value);
    } else if (FLAGS.has(arg)) options.set(arg, true);
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  return { command, positional, options };
}

function allow(p: Parsed, count: number, options: string[]): void {
  if (p.positional.length !== count)
    throw new UsageError(`${p.command} takes ${count} argument(s), got ${p.positional.length}`);
  for (const key of p.options.keys())
    if (!options.includes(key)) throw new UsageError(`${p.command} does not take ${key}`);
}

function roleArg(value: string | true | undefined, fallback: Role): Role {
  if (value === undefined) return fallback;
  const parsed = RoleSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`'${String(value)}' is not a role: use viewer, analyst or admin`);
  return parsed.data;
}

async function readStdinPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text.includes('\n')) throw new CliError('--password-stdin reads one line: the input has several');
  return text;
}

async function run(p: Parsed, store: Store): Promise<void> {
  const accounts = new AccountsRepository(store.db);
  const audit = new AuditRepository(store.db);
  const actor = `cli:${safeUser()}`;
  const record = (action: string, target: UserRecord | string, detail: Record<string, unknown>) =>
    audit.record({
      actorKind: 'cli',
      actorLogin: actor,
      action,
      target: typeof target === 'string' ? target : target.id,
      outcome: 'ok',
      detail,
    });
  const mustFind = async (login: string): Promise<UserRecord> => {
    const user = await accounts.findByLogin(login);
    if (!user) throw new CliError(`no account with the login '${login}' (npm run accounts -- list)`);
    return user;
  };
  const password = async (): Promise<{ value: string; generated: boolean }> =>
    p.options.has('--password-stdin')
      ? { value: await readStdinPassword(), generated: false }
      : { value: randomPassword(), generated: true };
  const guardLastAdmin = async (user: UserRecord) => {
    const admins = (await accounts.list()).filter((u) => u.role === 'admin' && !u.disabled);
    if (user.role === 'admin' && !user.disabled && admins.length <= 1)
      throw new CliError(
        `'${user.login}' is the last enabled admin account: make another account admin first (npm run accounts -- set-role <login> admin)`,
      );
  };

  switch (p.command) {
    case 'list': {
      allow(p, 0, []);
      const users = await accounts.list();
      if (users.length === 0) return console.log('no accounts yet (npm start creates the first admin)');
      const rows = users.map((u) => [
        u.login,
        u.role,
        u.disabled
          ? 'disabled'
          : u.locked_until && Date.parse(u.locked_until) > Date.now()
            ? 'locked'
            : 'active',
        u.oidc_issuer ? 'oidc' : u.password_hash ? 'password' : 'none',
        u.last_sign_in_at ?? 'never',
        u.id,
      ]);
      const head = ['login', 'role', 'state', 'sign-in', 'last sign-in', 'id'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const r of [head, ...rows])
        console.log(
          r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd(),
        );
      return;
    }
    case 'create': {
      allow(p, 1, ['--role', '--name', '--password-stdin']);
      const role = roleArg(p.options.get('--role'), 'viewer');
      const pw = await password();
      const user = await accounts.create({
        login: p.positional[0]!,
        displayName: p.options.get('--name') as string | undefined,
        role,
        password: pw.value,
      });
      await record('account.create', user, { login: user.login, role });
      console.log(`created the account '${user.login}' (${role}, id ${user.id})`);
      if (pw.generated) console.log(`password (shown once, stored hashed): ${pw.value}`);
      return;
    }
    case 'set-role': {
      allow(p, 2, []);
      const user = await mustFind(p.positional[0]!);
      const role = roleArg(p.positional[1], 'viewer');
      if (role !== 'admin') await guardLastAdmin(user);
      await accounts.update(user.id, { role });
      await record('account.update', user, { login: user.login, role: { from: user.role, to: role } });
      return console.log(`'${user.login}' is now ${role} (was ${user.role})`);
    }
    case 'reset-password': {
      allow(p, 1, ['--password-stdin']);
      const user = await mustFind(p.positional[0]!);
      const pw = await password();
      await accounts.setPassword(user.id, pw.value);
      await record('account.update', user, { login: user.login, passwordReset: true });
      console.log(`set a new password for '${user.login}' (any lockout is over)`);
      if (pw.generated) console.log(`password (shown once, stored hashed): ${pw.value}`);
      return;
    }
    case 'disable':
    case 'enable': {
      allow(p, 1, []);
      const user = await mustFind(p.positional[0]!);
      const disabled = p.command === 'disable';
      if (disabled) await guardLastAdmin(user);
      await accounts.update(user.id, { disabled });
      await record('account.update', user, { login: user.login, disabled });
      return console.log(
        disabled
          ? `disabled '${user.login}': it cannot sign in and its tokens stop working`
          : `enabled '${user.login}'`,
      );
    }
    case 'token': {
      allow(p, 1, ['--name', '--role', '--expires-in-days']);
      const user = await mustFind(p.positional[0]!);
      if (user.disabled) throw new CliError(`'${user.login}' is disabled: enable it first`);
      const userRole = RoleSchema.catch('viewer').parse(user.role);
      const role = roleArg(p.options.get('--role'), userRole);
      if (!roleAllows(userRole, role))
        throw new CliError(
          `a token carries its owner's role or less: '${user.login}' is ${userRole}, not ${role}`,
        );
      const days = p.options.get('--expires-in-days');
      let expiresAt: string | undefined;
      if (days !== undefined) {
        const n = Number(days);
        if (!Number.isInteger(n) || n < 1 || n > 3650)
          throw new UsageError('--expires-in-days takes a whole number from 1 to 3650');
        expiresAt = new Date(Date.now() + n * 86_400_000).toISOString();
      }
      const name = (p.options.get('--name') as string | undefined) ?? 'created with npm run accounts';
      const tokens = new ApiTokensRepository(store.db);
      const { record: t, token } = await tokens.create({ userId: user.id, name, role, expiresAt });
      await audit.record({
        actorKind: 'cli',
        actorLogin: actor,
        action: 'token.create',
        target: t.id,
        outcome: 'ok',
        detail: { name, role, owner: user.login, expiresAt: expiresAt ?? null },
      });
      console.log(
        `personal API token '${name}' for '${user.login}' (${role}${expiresAt ? `, expires ${expiresAt}` : ''}), shown once:`,
      );
      console.log(token);
      return console.log(
        'send it as "Authorization: Bearer <token>"; revoke it with DELETE /api/tokens/' + t.id,
      );
    }
    default:
      throw new UsageError(p.command === '' ? 'no command given' : `unknown command '${p.command}'`);
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
    if (parsed.command === 'help' || parsed.command === '--help' || parsed.command === '-h') {
      console.log(USAGE);
      return 0;
    }
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const store = await openStore(config.databaseUrl);
  try {
    await run(parsed, store);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (
      err instanceof CliError ||
      err instanceof DuplicateLoginError ||
      err instanceof InvalidLoginError ||
      err instanceof PasswordPolicyError
    ) {
      console.error(`refused: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
