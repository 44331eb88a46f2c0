import type { Kysely, Selectable, Updateable } from 'kysely';
import type { GovernanceMode, GovernanceState } from '../domain/governance';
import type { GovernanceActionsTable, GovernanceAuditTable } from './governance-tables';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor';
import type { Database } from './schema';

/** An action as the store returns it. */
export type GovernanceActionRow = Selectable<GovernanceActionsTable>;
/** An audit entry as the store returns it. */
export type GovernanceAuditRow = Selectable<GovernanceAuditTable>;

/** An action to record. */
export interface NewGovernanceAction {
  id: string;
  connectorId: string;
  fileId: string;
  ownerId?: string | null;
  kind: string;
  params: object;
  policyId?: string | null;
  findingId?: string | null;
  sourceKey?: string | null;
  mode: GovernanceMode;
  dryRun: boolean;
  requestedBy: string;
  expiresAt?: string | null;
  expected?: object | null;
}

/** One audit entry written with a state change: `step` is the workflow's number for it (idempotent). */
export interface AuditEntry {
  step: number;
  at: string;
  event: string;
  actor: string;
  detail?: object;
}

/** Filters and paging of GovernanceRepository.list. */
export interface GovernanceQuery {
  state?: GovernanceState;
  policy?: string;
  fileId?: string;
  cursor?: string;
  limit?: number;
}

/** What a state change may set (never the action's identity). */
export type GovernancePatch = Omit<
  Updateable<GovernanceActionsTable>,
  'id' | 'connector_id' | 'file_id' | 'kind' | 'created_at' | 'updated_at'
>;

const CURSOR_TAG = 'governance';
const AUDIT_CURSOR_TAG = 'governance-audit';

/**
 * Governance actions and their audit trail (migration 013). The audit is append-only: entries are inserted,
 * never changed; a second insert of the same (action, step) is ignored, so a retried step writes its
 * entry once.
 */
export class GovernanceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records actions (pending, not started) with their first audit entry, in the caller's transaction when
   * the repository was made over one. An action whose source key is already recorded is left as it is.
   * Returns the ids recorded now.
   */
  async record(actions: readonly NewGovernanceAction[], at: string): Promise<string[]> {
    if (actions.length === 0) return [];
    const inserted = await this.db
      .insertInto('governance_actions')
      .values(
        actions.map((a) => ({
          id: a.id,
          connector_id: a.connectorId,
          file_id: a.fileId,
          owner_id: a.ownerId ?? null,
          kind: a.kind,
          params_json: JSON.stringify(a.params),
          policy_id: a.policyId ?? null,
          finding_id: a.findingId ?? null,
          source_key: a.sourceKey ?? null,
          mode: a.mode,
          dry_run: a.dryRun ? 1 : 0,
          state: 'pending',
          reason: null,
          requested_by: a.requestedBy,
          approver: null,
          decided_at: null,
          expires_at: a.expiresAt ?? null,
          expected_json: a.expected ? JSON.stringify(a.expected) : null,
          before_json: null,
          after_json: null,
          outcome: null,
          started_at: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .onConflict((oc) => oc.columns(['connector_id', 'source_key']).doNothing())
      .returning('id')
      .execute();
    const ids = new Set(inserted.map((r) => r.id));
    const recorded = actions.filter((a) => ids.has(a.id));
    if (recorded.length > 0)
      await this.db
        .insertInto('governance_audit')
        .values(
          recorded.map((a) => ({
            action_id: a.id,
            step: 0,
            connector_id: a.connectorId,
            file_id: a.fileId,
            at,
            event: 'recorded',
            actor: a.requestedBy,
            detail_json: JSON.stringify({
              kind: a.kind,
              params: a.params,
              mode: a.mode,
              dryRun: a.dryRun,
              ...(a.policyId && { policyId: a.policyId }),
              ...(a.findingId && { findingId: a.findingId }),
              ...(a.expiresAt && { expiresAt: a.expiresAt }),
            }),
          })),
        )
        .onConflict((oc) => oc.columns(['action_id', 'step']).doNothing())
        .execute();
    return recorded.map((a) => a.id);
  }

  /** The action, or undefined. */
  async get(connectorId: string, id: string): Promise<GovernanceActionRow | undefined> {
    return this.db
      .selectFrom('governance_actions')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /**
   * Sets the action's fields and appends the audit entry, in one transaction. Applying the same change
   * again (a retried step) leaves the same row and one entry.
   */
  async transition(
    connectorId: string,
    id: string,
    patch: GovernancePatch,
    audit: AuditEntry,
  ): Promise<GovernanceActionRow> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('governance_actions')
        .set({ ...patch, updated_at: audit.at })
        .where('connector_id', '=', connectorId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new Error(`No governance action ${id} of connector ${connectorId}`);
      await trx
        .insertInto('governance_audit')
        .values({
          action_id: id,
          step: audit.step,
          connector_id: connectorId,
          file_id: row.file_id,
          at: audit.at,
          event: audit.event,
          actor: audit.actor,
          detail_json: JSON.stringify(audit.detail ?? {}),
        })
        .onConflict((oc) => oc.columns(['action_id', 'step']).doNothing())
        .execute();
      return row;
    });
  }

  /** Records the file's state before or after acting, or the outcome so far (no audit entry: the workflow writes it). */
  async setBoxState(
    connectorId: string,
    id: string,
    state: { before?: object | null; after?: object | null; outcome?: string },
  ): Promise<void> {
    await this.db
      .updateTable('governance_actions')
      .set({
        ...(state.before !== undefined && { before_json: state.before && JSON.stringify(state.before) }),
        ...(state.after !== undefined && { after_json: state.after && JSON.stringify(state.after) }),
        ...(state.outcome !== undefined && { outcome: state.outcome }),
        updated_at: new Date().toISOString(),
      })
      .where('connector_id', '=', connectorId)
      .where('id', '=', id)
      .execute();
  }

  /** The file's latest action of these kinds that is done and not a dry run. */
  async lastDone(
    connectorId: string,
    fileId: string,
    kinds: readonly string[],
  ): Promise<GovernanceActionRow | undefined> {
    return this.db
      .selectFrom('governance_actions')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .where('file_id', '=', fileId)
      .where('kind', 'in', kinds)
      .where('state', '=', 'done')
      .where('dry_run', '=', 0)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Marks the actions' workflows started (they leave the outbox). */
  async markStarted(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('governance_actions')
      .set({ started_at: at })
      .where('id', 'in', ids)
      .where('started_at', 'is', null)
      .execute();
  }

  /**
   * Actions recorded before `before` whose workflow was never marked started (a crash between the commit
   * and the start, or a start that failed), oldest first, of active connectors only.
   */
  async unstarted(before: string, limit: number): Promise<GovernanceActionRow[]> {
    return this.db
      .selectFrom('governance_actions')
      .selectAll('governance_actions')
      .innerJoin('connectors', 'connectors.id', 'governance_actions.connector_id')
      .where('connectors.active', '=', 1)
      .where('governance_actions.started_at', 'is', null)
      .where('governance_actions.created_at', '<', before)
      .orderBy('governance_actions.created_at')
      .limit(limit)
      .execute();
  }

  /** Actions matching every filter, newest first; `{ items, nextCursor? }`. */
  async list(
    connectorId: string,
    q: GovernanceQuery = {},
  ): Promise<{ items: GovernanceActionRow[]; nextCursor?: string }> {
    const limit = pageLimit(q.limit);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, CURSOR_TAG, 2);
    const rows = await this.db
      .selectFrom('governance_actions')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .$if(q.state !== undefined, (b) => b.where('state', '=', q.state!))
      .$if(q.policy !== undefined, (b) => b.where('policy_id', '=', q.policy!))
      .$if(q.fileId !== undefined, (b) => b.where('file_id', '=', q.fileId!))
      .$if(after !== undefined, (b) =>
        b.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after![0]!, after![1]!))),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return rows.length > limit && last
      ? { items, nextCursor: encodeCursor(CURSOR_TAG, [last.created_at, last.id]) }
      : { items };
  }

  /** The audit trail of one action, in order. */
  async auditOf(actionId: string): Promise<GovernanceAuditRow[]> {
    return this.db
      .selectFrom('governance_audit')
      .selectAll()
      .where('action_id', '=', actionId)
      .orderBy('step')
      .execute();
  }

  /** The audit trail of a file (every action on it), oldest first; `{ items, nextCursor? }`. */
  async auditOfFile(
    connectorId: string,
    fileId: string,
    page: { cursor?: string; limit?: number } = {},
  ): Promise<{ items: GovernanceAuditRow[]; nextCursor?: string }> {
    const limit = pageLimit(page.limit);
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, AUDIT_CURSOR_TAG, 3);
    const rows = await this.db
      .selectFrom('governance_audit')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .where('file_id', '=', fileId)
      .$if(after !== undefined, (b) =>
        b.where((eb) =>
          eb(
            eb.refTuple('at', 'action_id', 'step'),
            '>',
            eb.tuple(after![0]!, after![1]!, Number(after![2]!)),
          ),
        ),
      )
      .orderBy('at')
      .orderBy('action_id')
      .orderBy('step')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return rows.length > limit && last
      ? {
          items,
          nextCursor: encodeCursor(AUDIT_CURSOR_TAG, [last.at, last.action_id, String(last.step)]),
        }
      : { items };
  }
}
