import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Role } from '../domain/roles';
import type { Database, UsersTable } from './schema';

/** A user as the store returns it (password_hash included: never answer it to a client). */
export type UserRecord = Selectable<UsersTable>;

/** The shortest password accepted (NIST SP 800-63B asks for at least 8; a security team's console, 12). */
export const PASSWORD_MIN_LENGTH = 12;
/** The longest password accepted (argon2 hashes anything, but a megabyte of it is a denial of service). */
export const PASSWORD_MAX_LENGTH = 256;

/** Logins: lower-case letters, digits and `.`, `_`, `-`, `@`, `+` (an email address fits), 1 to 128. */
export const LOGIN_PATTERN = /^[a-z0-9._@+-]{1,128}$/;

// argon2id (the OWASP recommendation), the library's defaults otherwise (19 MiB, 2 passes, 1 lane).
// Algorithm is an ambient const enum, which isolatedModules cannot read: 2 is Algorithm.Argon2id.
const ARGON2ID = 2 as Algorithm;

/** Thrown when a password is too short or too long; the message says what is expected. */
export class PasswordPolicyError extends Error {
  override readonly name = 'PasswordPolicyError';
}

/** Thrown when a login is not of LOGIN_PATTERN after trimming and lower-casing. */
export class InvalidLoginError extends Error {
  override readonly name = 'InvalidLoginError';
  constructor(readonly login: string) {
    super(
      `The login '${login}' is not valid: use 1 to 128 letters, digits and . _ @ + - (stored lower-case).`,
    );
  }
}

/** Thrown when the login is already someone's. */
export class DuplicateLoginError extends Error {
  override readonly name = 'DuplicateLoginError';
  constructor(readonly login: string) {
    super(`An account with the login '${login}' already exists.`);
  }
}

/** What a new account is. */
export interface NewAccount {
  login: string;
  displayName?: string;
  /** Omitted: the account cannot sign in with a password (OIDC only, or until an admin sets one). */
  password?: string;
  role: Role;
}

/** What AccountsRepository.update may change. */
export interface AccountChanges {
  displayName?: string;
  role?: Role;
  disabled?: boolean;
}

/** Throws PasswordPolicyError unless the password has PASSWORD_MIN_LENGTH to PASSWORD_MAX_LENGTH characters. */
export function checkPassword(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    throw new PasswordPolicyError(
      `The password is too short: use at least ${PASSWORD_MIN_LENGTH} characters (it has ${length}).`,
    );
  if (length > PASSWORD_MAX_LENGTH)
    throw new PasswordPolicyError(`The password is too long: use at most ${PASSWORD_MAX_LENGTH} characters.`);
}

/** A login as stored: trimmed and lower-case; throws InvalidLoginError when it is not of LOGIN_PATTERN. */
export function normalLogin(login: string): string {
  const folded = login.trim().toLowerCase();
  if (!LOGIN_PATTERN.test(folded)) throw new InvalidLoginError(login);
  return folded;
}

/** Why a user who gave the right password (or came back from the identity provider) may not sign in now. */
export function signInRefusal(user: UserRecord, now = Date.now()): 'disabled' | 'locked' | undefined {
  if (user.disabled) return 'disabled';
  if (user.locked_until !== null && Date.parse(user.locked_until) > now) return 'locked';
  return undefined;
}

/**
 * Accounts: local users with an argon2id password hash, and OpenID Connect users (an issuer and subject, no
 * password). Accounts are disabled, never deleted: their id stays in the audit log and on their tokens.
 */
export class AccountsRepository {
  /** A hash of a random password, verified against when the login is unknown (same work as a known one). */
  private static decoy: Promise<string> | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  /** Creates an account; throws DuplicateLoginError, InvalidLoginError or PasswordPolicyError. */
  async create(input: NewAccount): Promise<UserRecord> {
    const login = normalLogin(input.login);
    if (input.password !== undefined) checkPassword(input.password);
    const now = new Date().toISOString();
    const record: UserRecord = {
      id: `u_${randomBytes(9).toString('base64url')}`,
      login,
      display_name: input.displayName?.trim() || login,
      password_hash: input.password === undefined ? null : await hashPassword(input.password),
      role: input.role,
      disabled: 0,
      failed_sign_ins: 0,
      locked_until: null,
      oidc_issuer: null,
      oidc_subject: null,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
    };
    await this.insert(record);
    return record;
  }

  /** The user, or undefined. */
  findById(id: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The user with this login (compared lower-case), or undefined. */
  findByLogin(login: string): Promise<UserRecord | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('login', '=', login.trim().toLowerCase())
      .executeTakeFirst();
  }

  /** Every user, by login. */
  list(): Promise<UserRecord[]> {
    return this.db.selectFrom('users').selectAll().orderBy('login').execute();
  }

  /** How many users exist (first run: none). */
  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Changes display name, role or disabled; returns the updated user, or undefined when there is none. */
  async update(id: string, changes: AccountChanges): Promise<UserRecord | undefined> {
    const set: Partial<UserRecord> = { updated_at: new Date().toISOString() };
    const displayName = changes.displayName?.trim();
    if (displayName) set.display_name = displayName;
    if (changes.role !== undefined) set.role = changes.role;
    if (changes.disabled !== undefined) set.disabled = changes.disabled ? 1 : 0;
    await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    return this.findById(id);
  }

  /**
   * Sets (or resets) the password; also ends a lockout. Throws PasswordPolicyError; returns false when the
   * user does not exist.
   */
  async setPassword(id: string, password: string): Promise<boolean> {
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    const result = await this.db
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        failed_sign_ins: 0,
        locked_until: null,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * The user when the password is theirs, else null. An unknown login, or a user without a password, costs
   * the same argon2 verification as a wrong password, so that timing does not tell which logins exist. It
   * does not look at `disabled` or `locked_until`: the caller refuses those (signInRefusal) and counts
   * failures (recordFailedSignIn).
   */
  async verifyPassword(login: string, password: string): Promise<UserRecord | null> {
    const user = await this.findByLogin(login);
    const tooLong = [...password].length > PASSWORD_MAX_LENGTH;
    const candidate = tooLong ? 'x' : password;
    if (!user?.password_hash) {
      await verify(await AccountsRepository.decoyHash(), candidate).catch(() => false);
      return null;
    }
    const ok = await verify(user.password_hash, candidate).catch(() => false);
    return ok && !tooLong ? user : null;
  }

  /**
   * Counts a failed sign-in; at `lockAfter` failures in a row the account is locked for `lockForMs` and the
   * count starts again. Returns the user as it is now (undefined when there is none).
   */
  async recordFailedSignIn(
    userId: string,
    lockAfter: number,
    lockForMs: number,
    now = Date.now(),
  ): Promise<UserRecord | undefined> {
    const at = new Date(now).toISOString();
    await this.db
      .updateTable('users')
      .set({ failed_sign_ins: sql<number>`failed_sign_ins + 1`, updated_at: at })
      .where('id', '=', userId)
      .execute();
    await this.db
      .updateTable('users')
      .set({ failed_sign_ins: 0, locked_until: new Date(now + lockForMs).toISOString() })
      .where('id', '=', userId)
      .where('failed_sign_ins', '>=', lockAfter)
      .execute();
    return this.findById(userId);
  }

  /** Records a successful sign-in: the failure count and any lockout are cleared. */
  async recordSignIn(userId: string, now = Date.now()): Promise<void> {
    const at = new Date(now).toISOString();
    await this.db
      .updateTable('users')
      .set({ failed_sign_ins: 0, locked_until: null, last_sign_in_at: at, updated_at: at })
      .where('id', '=', userId)
      .execute();
  }

  /**
   * The user of an OpenID Connect identity: created on its first sign-in; afterwards its display name and
   * role follow what the identity provider says (the role mapped from its claim). `login` is kept from the
   * first sign-in. Throws DuplicateLoginError when a new identity's login is already a local account's: an
   * identity provider does not take over an account it did not create; InvalidLoginError when the login
   * the caller derived from the claims is not of LOGIN_PATTERN. `disabled` is never changed here: the
   * caller refuses a disabled user (signInRefusal).
   */
  async upsertOidcUser(input: {
    issuer: string;
    subject: string;
    login: string;
    displayName?: string;
    role: Role;
  }): Promise<UserRecord> {
    const now = new Date().toISOString();
    const existing = await this.db
      .selectFrom('users')
      .selectAll()
      .where('oidc_issuer', '=', input.issuer)
      .where('oidc_subject', '=', input.subject)
      .executeTakeFirst();
    if (existing) {
      await this.db
        .updateTable('users')
        .set({
          display_name: input.displayName?.trim() || existing.display_name,
          role: input.role,
          updated_at: now,
        })
        .where('id', '=', existing.id)
        .execute();
      return (await this.findById(existing.id))!;
    }
    const login = normalLogin(input.login);
    const record: UserRecord = {
      id: `u_${randomBytes(9).toString('base64url')}`,
      login,
      display_name: input.displayName?.trim() || login,
      password_hash: null,
      role: input.role,
      disabled: 0,
      failed_sign_ins: 0,
      locked_until: null,
      oidc_issuer: input.issuer,
      oidc_subject: input.subject,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
    };
    try {
      await this.insert(record);
    } catch (err) {
      // Two first sign-ins of the same identity at once: the other one created it.
      if (!(err instanceof DuplicateLoginError)) throw err;
      const raced = await this.db
        .selectFrom('users')
        .selectAll()
        .where('oidc_issuer', '=', input.issuer)
        .where('oidc_subject', '=', input.subject)
        .executeTakeFirst();
      if (raced) return raced;
      throw err;
    }
    return record;
  }

  private async insert(record: UserRecord): Promise<void> {
    try {
      await this.db.insertInto('users').values(record).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateLoginError(record.login);
      throw err;
    }
  }

  private static decoyHash(): Promise<string> {
    AccountsRepository.decoy ??= hashPassword(randomBytes(24).toString('base64url'));
    return AccountsRepository.decoy;
  }
}

/** An argon2id PHC string of the password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  // better-sqlite3: SQLITE_CONSTRAINT_UNIQUE; pg: 23505 unique_violation.
  return e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === '23505';
}
