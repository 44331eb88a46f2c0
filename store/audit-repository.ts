import type { Kysely, Selectable } from 'kysely';
import { InvalidCursorError } from './event-log-repository';
import type { AuditLogTable, Database } from './schema';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor';

/** An audit entry as stored. */
export type AuditRecord = Selectable<AuditLogTable>;

/**
 * Who acted: the bootstrap API_TOKEN, a personal token, a console session, the accounts CLI, the system, or
 * nobody known (a refused request without a valid credential).
 */
export const ACTOR_KINDS = ['api-token', 'personal-token', 'session', 'cli', 'system', 'anonymous'] as const;
/** One of ACTOR_KINDS. */
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** How a request or decision ended: done, refused for want of credentials or role, or failed otherwise. */
export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed'] as const;
/** One of AUDIT_OUTCOMES. */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One thing to record. `detail` is stored as JSON text: never put a secret in it. */
export interface AuditEntry {
  actorKind: ActorKind;
  actorUserId?: string | null;
  actorLogin: string;
  action: string;
  target?: string | null;
  method?: string | null;
  route?: string | null;
  ip?: string | null;
  outcome: AuditOutcome;
  status?: number | null;
  detail?: Record<string, unknown> | null;
  /** Default: now. */
  at?: string;
}

/** Filters of AuditRepository.list (all optional, combined with AND). */
export interface AuditFilters {
  /** The actor's user id or login. */
  actor?: string;
  action?: string;
  target?: string;
  outcome?: AuditOutcome;
  /** at >= since (ISO). */
  since?: string;
  /** at < until (ISO). */
  until?: string;
}

/** Paging of AuditRepository.list: newest first. */
export interface AuditPaging {
  cursor?: string;
  limit?: number;
}

const CURSOR_TAG = 'audit';

/**
 * The audit log. Append-only by construction: this repository can insert and read, nothing else; no code
 * path updates or deletes an entry (retention, if wanted, is an operator's SQL on the `at` column).
 */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends one entry; returns its id. */
  async record(entry: AuditEntry): Promise<number> {
    const row = await this.db
      .insertInto('audit_log')
      .values({
        at: entry.at ?? new Date().toISOString(),
        actor_kind: entry.actorKind,
        actor_user_id: entry.actorUserId ?? null,
        actor_login: entry.actorLogin,
        action: entry.action,
        target: entry.target ?? null,
        method: entry.method ?? null,
        route: entry.route ?? null,
        ip: entry.ip ?? null,
        outcome: entry.outcome,
        status: entry.status ?? null,
        detail: entry.detail == null ? null : JSON.stringify(entry.detail),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Entries matching every filter, newest first, keyset-paged by id (cursor from store/page-cursor). */
  async list(
    filters: AuditFilters = {},
    page: AuditPaging = {},
  ): Promise<{ items: AuditRecord[]; nextCursor?: string }> {
    const limit = pageLimit(page.limit);
    const after = page.cursor === undefined ? undefined : cursorId(page.cursor);
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .$if(filters.actor !== undefined, (b) =>
        b.where((eb) =>
          eb.or([
            eb('actor_user_id', '=', filters.actor!),
            eb('actor_login', '=', filters.actor!.toLowerCase()),
            eb('actor_login', '=', filters.actor!),
          ]),
        ),
      )
      .$if(filters.action !== undefined, (b) => b.where('action', '=', filters.action!))
      .$if(filters.target !== undefined, (b) => b.where('target', '=', filters.target!))
      .$if(filters.outcome !== undefined, (b) => b.where('outcome', '=', filters.outcome!))
      .$if(filters.since !== undefined, (b) => b.where('at', '>=', new Date(filters.since!).toISOString()))
      .$if(filters.until !== undefined, (b) => b.where('at', '<', new Date(filters.until!).toISOString()))
      .$if(after !== undefined, (b) => b.where('id', '<', after!))
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((r) => ({ ...r, id: Number(r.id) }));
    const last = items[items.length - 1];
    return rows.length > limit && last
      ? { items, nextCursor: encodeCursor(CURSOR_TAG, [String(last.id)]) }
      : { items };
  }
}

function cursorId(cursor: string): number {
  const [id] = decodeCursor(cursor, CURSOR_TAG, 1);
  if (id === undefined || !/^\d{1,15}$/.test(id)) throw new InvalidCursorError(cursor);
  return Number(id);
}
