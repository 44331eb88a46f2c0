import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { isRole, weakerRole, type Role } from '../domain/roles';
import type { UserRecord } from './accounts-repository';
import type { ApiTokensTable, Database } from './schema';

/** A personal API token as stored (its hash only). */
export type ApiTokenRecord = Selectable<ApiTokensTable>;

/** What every personal token starts with (so that secret scanners and people recognise one). */
export const PERSONAL_TOKEN_PREFIX = 'cbx_pat_';

/** last_used_at is written at most this often per token (a busy script must not write on every call). */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** SHA-256 (hex) of a token: what the store keeps. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The outcome of presenting a personal token. */
export type TokenCheck =
  | { ok: true; token: ApiTokenRecord; user: UserRecord; role: Role }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'user-disabled' };

/**
 * Personal API tokens: created by a user for themselves, shown once, stored as a SHA-256 hash (a token is
 * 256 random bits, so a fast hash is enough: there is nothing to guess), optionally expiring, revocable.
 */
export class ApiTokensRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates a token for the user; returns the record and the token itself (the only time it is known). */
  async create(input: {
    userId: string;
    name: string;
    role: Role;
    expiresAt?: string;
  }): Promise<{ record: ApiTokenRecord; token: string }> {
    const token = `${PERSONAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const record: ApiTokenRecord = {
      id: `t_${randomBytes(9).toString('base64url')}`,
      user_id: input.userId,
      name: input.name,
      token_hash: tokenHash(token),
      role: input.role,
      created_at: new Date().toISOString(),
      expires_at: input.expiresAt === undefined ? null : new Date(input.expiresAt).toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_tokens').values(record).execute();
    return { record, token };
  }

  /**
   * Whether a presented token works now, and as whom: its role is the weaker of the token's and its owner's
   * current role (demoting a user demotes their tokens). A revoked or expired token, or one of a disabled
   * user, does not work.
   */
  async check(token: string, now = Date.now()): Promise<TokenCheck> {
    const record = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (record.expires_at !== null && Date.parse(record.expires_at) <= now)
      return { ok: false, reason: 'expired' };
    const user = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', record.user_id)
      .executeTakeFirstOrThrow();
    if (user.disabled) return { ok: false, reason: 'user-disabled' };
    const tokenRole: Role = isRole(record.role) ? record.role : 'viewer';
    const userRole: Role = isRole(user.role) ? user.role : 'viewer';
    return { ok: true, token: record, user, role: weakerRole(tokenRole, userRole) };
  }

  /**
   * Records that the token was used: writes last_used_at only when it is older than
   * LAST_USED_RESOLUTION_MS (one conditional UPDATE; a token used 100 times a second writes once a minute).
   * Returns true when it wrote.
   */
  async touch(id: string, now = Date.now()): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: new Date(now).toISOString() })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<=', new Date(now - LAST_USED_RESOLUTION_MS).toISOString()),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The token, or undefined. */
  get(id: string): Promise<ApiTokenRecord | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The user's tokens (revoked and expired ones included), newest first. */
  listForUser(userId: string): Promise<ApiTokenRecord[]> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  }

  /** Revokes the token (idempotent: an already revoked one keeps its first revocation time). */
  async revoke(id: string, now = Date.now()): Promise<ApiTokenRecord | undefined> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date(now).toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return this.get(id);
  }
}
