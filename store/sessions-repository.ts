import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role } from '../domain/roles';
import type { Database } from './schema';

/** A session that is still valid, with the user it belongs to (as the users table says now). */
export interface ActiveSession {
  idHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** When the session ends if nothing more is done in it (idle expiry), as of this request. */
  idleExpiresAt: Date;
  user: { id: string; login: string; displayName: string; role: Role };
}

/** The shape of a session cookie's value: 32 random bytes, base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 (hex) of a session cookie's value: what the store keeps. */
export function sessionIdHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Console sign-in sessions (migration 012): created at sign-in, looked up on every console request. */
export class SessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Starts a session for the user; returns the cookie's value (never stored) and its absolute end. */
  async create(
    input: { userId: string; lifetimeMs: number; ip?: string; userAgent?: string },
    now = new Date(),
  ): Promise<{ token: string; idHash: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const idHash = sessionIdHash(token);
    const expiresAt = new Date(now.getTime() + input.lifetimeMs);
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: idHash,
        user_id: input.userId,
        created_at: now.toISOString(),
        expires_at: expiresAt.toISOString(),
        last_seen_at: now.toISOString(),
        ip: input.ip?.slice(0, 100) ?? null,
        user_agent: input.userAgent?.slice(0, 500) ?? null,
      })
      .execute();
    return { token, idHash, expiresAt };
  }

  /**
   * The session of this cookie value when it is still valid: not past its absolute end, used within the
   * idle timeout, and its user exists and is not disabled. Records this use (the idle clock restarts)
   * unless `touch` is false (a use that is no activity: the /codec endpoint's, see api/codec-routes.ts).
   * An expired session's row is deleted; anything else answers undefined.
   */
  async use(
    token: string,
    idleMs: number,
    now = new Date(),
    touch = true,
  ): Promise<ActiveSession | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const idHash = sessionIdHash(token);
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.created_at',
        'sessions.expires_at',
        'sessions.last_seen_at',
        'users.id as user_id',
        'users.login',
        'users.display_name',
        'users.role',
        'users.disabled',
      ])
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const nowIso = now.toISOString();
    const idleCutoff = new Date(now.getTime() - idleMs).toISOString();
    if (row.expires_at <= nowIso || row.last_seen_at <= idleCutoff) {
      await this.end(idHash);
      return undefined;
    }
    if (Number(row.disabled) !== 0) return undefined;
    const lastSeen = touch ? now : new Date(row.last_seen_at);
    if (touch)
      await this.db
        .updateTable('sessions')
        .set({ last_seen_at: nowIso })
        .where('id_hash', '=', idHash)
        .execute();
    return {
      idHash,
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
      idleExpiresAt: new Date(Math.min(lastSeen.getTime() + idleMs, Date.parse(row.expires_at))),
      user: { id: row.user_id, login: row.login, displayName: row.display_name, role: row.role as Role },
    };
  }

  /** Ends one session (sign-out); true when there was one. */
  async end(idHash: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Ends every session of a user (disabled account, password reset); returns how many ended. */
  async endAllOf(userId: string): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** How many sessions a user has open (for tests and the account pages). */
  async countOf(userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Drops sessions past their absolute end or idle for longer than `idleMs` (housekeeping). */
  async purgeExpired(idleMs: number, now = new Date()): Promise<number> {
    const r = await this.db
      .deleteFrom('sessions')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', now.toISOString()),
          eb('last_seen_at', '<=', new Date(now.getTime() - idleMs).toISOString()),
        ]),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
