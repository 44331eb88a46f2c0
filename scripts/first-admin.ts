/**
 * First run: when the store has no account yet, `npm start` creates the admin account ADMIN_LOGIN (default
 * `admin`) with ADMIN_PASSWORD, or with a random password that is shown once, in the terminal only.
 */
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import type { Config } from '../config/config';
import { AccountsRepository, DuplicateLoginError } from '../store/accounts-repository';
import { AuditRepository } from '../store/audit-repository';
import type { Store } from '../store/database';

/** A random password of 24 characters (144 bits), for accounts created without one. */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** What ensureFirstAdmin did. */
export type FirstRun =
  | { created: false }
  | {
      created: true;
      login: string;
      /** Set when the password was generated (not ADMIN_PASSWORD). */ password?: string;
    };

/** Creates the first admin account when the store has none (an audit entry says so); else does nothing. */
export async function ensureFirstAdmin(store: Pick<Store, 'db'>, config: Config): Promise<FirstRun> {
  const accounts = new AccountsRepository(store.db);
  if ((await accounts.count()) > 0) return { created: false };
  const generated = config.people.adminPassword === undefined ? randomPassword() : undefined;
  try {
    const user = await accounts.create({
      login: config.people.adminLogin,
      displayName: 'Administrator',
      role: 'admin',
      password: config.people.adminPassword ?? generated,
    });
    await new AuditRepository(store.db).record({
      actorKind: 'system',
      actorLogin: 'npm start',
      action: 'account.create',
      target: user.id,
      outcome: 'ok',
      detail: {
        login: user.login,
        role: 'admin',
        firstRun: true,
        passwordFrom: generated ? 'generated' : 'ADMIN_PASSWORD',
      },
    });
    return { created: true, login: user.login, ...(generated !== undefined && { password: generated }) };
  } catch (err) {
    if (err instanceof DuplicateLoginError) return { created: false }; // another process just created it
    throw err;
  }
}

/**
 * What the launcher prints after a first run. The generated password goes to the terminal only (file
 * descriptor 1, past the copy of the output into dev-stack.log); the log says where it went.
 */
export function announceFirstAdmin(run: FirstRun, apiUrl: string): void {
  if (!run.created) return;
  const howTo = [
    `  create a personal API token:   npm run accounts -- token ${run.login} --name "my laptop"`,
    `  then call the API with it:     curl -H "Authorization: Bearer <token>" ${apiUrl}/api/connectors`,
    `  manage accounts:               npm run accounts -- list   (create, set-role, reset-password, disable, enable)`,
  ].join('\n');
  if (run.password === undefined) {
    console.log(
      `\nfirst run: created the admin account '${run.login}' with the password in ADMIN_PASSWORD.\n${howTo}`,
    );
    return;
  }
  console.log(
    `\nfirst run: created the admin account '${run.login}'; its password is shown once, in the terminal only (not in this log).`,
  );
  const secret = `  password of '${run.login}':   ${run.password}\n  (keep it now: it is stored hashed; npm run accounts -- reset-password ${run.login} sets a new one)\n`;
  try {
    writeSync(1, secret);
  } catch {
    // no terminal: the password is lost, and reset-password sets a new one
  }
  console.log(howTo);
}
