import type { Kysely, Selectable } from 'kysely';
import { instanceNameKey } from './instance-name-key';
import type { ConnectorsTable, Database } from './schema';

/** A connector record as the store returns it. */
export type ConnectorRecord = Selectable<ConnectorsTable>;

/**
 * Thrown when an active connector already uses the instance name, compared after trimming, Unicode NFKC and
 * case folding; names the connector that has it.
 */
export class DuplicateInstanceNameError extends Error {
  constructor(
    readonly instanceName: string,
    readonly existing?: { id: string; instanceName: string },
  ) {
    super(
      existing
        ? `The active connector '${existing.instanceName}' (id ${existing.id}) already has the name '${instanceName}' (names are compared ignoring case and spacing); disconnect it or choose another name.`
        : `A connector named '${instanceName}' is already active; disconnect it or choose another name.`,
    );
  }
}

/** Reads and writes connector records. */
export class ConnectorsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a new connector; throws DuplicateInstanceNameError when the name is taken by an active one. */
  async create(input: {
    id: string;
    instanceName: string;
    dataCenter: string;
    status: string;
    statusMessage: string;
  }) {
    const now = new Date().toISOString();
    const record: ConnectorRecord = {
      id: input.id,
      instance_name: input.instanceName,
      data_center: input.dataCenter,
      status: input.status,
      status_message: input.statusMessage,
      enterprise_id: null,
      authorized_login: null,
      authorized_role: null,
      created_at: now,
      updated_at: now,
      active: 1,
      name_key: instanceNameKey(input.instanceName),
    };
    try {
      await this.db.insertInto('connectors').values(record).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const existing = await this.db
        .selectFrom('connectors')
        .select(['id', 'instance_name'])
        .where('name_key', '=', record.name_key)
        .where('active', '=', 1)
        .executeTakeFirst();
      throw new DuplicateInstanceNameError(
        input.instanceName,
        existing && { id: existing.id, instanceName: existing.instance_name },
      );
    }
    return record;
  }

  /** The connector, or undefined. */
  get(id: string): Promise<ConnectorRecord | undefined> {
    return this.db.selectFrom('connectors').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** All connectors, newest first. */
  list(): Promise<ConnectorRecord[]> {
    return this.db.selectFrom('connectors').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
  }

  /** Records a status change (and, once known, who authorized for which enterprise). */
  async updateStatus(
    id: string,
    change: {
      status: string;
      statusMessage: string;
      enterpriseId?: string;
      authorizedLogin?: string;
      authorizedRole?: string;
    },
  ): Promise<void> {
    await this.db
      .updateTable('connectors')
      .set({
        status: change.status,
        status_message: change.statusMessage,
        active: change.status === 'Disconnected' ? 0 : 1,
        updated_at: new Date().toISOString(),
        ...(change.enterpriseId !== undefined && { enterprise_id: change.enterpriseId }),
        ...(change.authorizedLogin !== undefined && { authorized_login: change.authorizedLogin }),
        ...(change.authorizedRole !== undefined && { authorized_role: change.authorizedRole }),
      })
      .where('id', '=', id)
      .execute();
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  // better-sqlite3: SQLITE_CONSTRAINT_UNIQUE; pg: 23505 unique_violation.
  return e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === '23505';
}
