import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { MaskedSample, PolicyMatch } from '../policies';
import { maskSample } from '../policies';
import type { Database } from './schema';
import type { FindingsTable } from './scan-tables';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor';

/** A finding as the store returns it. */
export type FindingRow = Selectable<FindingsTable>;

/** A finding with the file it is about, as the API lists it. */
export type FindingWithFile = FindingRow & {
  file_name: string | null;
  file_path: string | null;
  owner_login: string | null;
};

/** Finding statuses: open while the file matches the policy, closed once it no longer does. */
export const FINDING_STATUSES = ['open', 'closed'] as const;
/** One of FINDING_STATUSES. */
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Filters and paging of FindingsRepository.list. */
export interface FindingQuery {
  severity?: string;
  policy?: string;
  status?: FindingStatus;
  fileId?: string;
  cursor?: string;
  limit?: number;
}

/**
 * The form of a sample the store keeps: masked. A policy with `masking: none` hands over the raw
 * value for the caller; the store masks it (last four) in the value and in its context.
 */
export function storedSample(sample: MaskedSample): MaskedSample {
  if (!sample.unmasked) return sample;
  const { unmasked: _, ...rest } = sample;
  const masked = maskSample(sample.masked);
  const context = sample.context?.split(sample.masked).join(masked);
  return { ...rest, masked, ...(context === undefined ? {} : { context }) };
}

const CHUNK = 500;
const CURSOR_TAG = 'findings';

/**
 * Findings per file and policy. At most one open finding per (connector, file, policy) (a partial unique
 * index); a closed finding stays as history, and a policy that matches the file again opens a new one.
 */
export class FindingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Makes the open findings of each file equal its matches: a match without an open finding opens one, a
   * match with one updates it (severity, counts, samples), an open finding without a match is closed.
   * Running it again with the same matches changes nothing but `updated_at`. Returns the open findings
   * of these files afterwards; `opened`, when given, receives the findings opened by this call (what
   * governance acts on: a new open finding, never a repeat of one).
   */
  async sync(
    connectorId: string,
    results: ReadonlyArray<{ fileId: string; matches: readonly PolicyMatch[] }>,
    at: string,
    opened?: FindingRow[],
  ): Promise<number> {
    const open = await this.openOf(
      connectorId,
      results.map((r) => r.fileId),
    );
    const byFile = new Map<string, FindingRow[]>();
    for (const row of open) byFile.set(row.file_id, [...(byFile.get(row.file_id) ?? []), row]);
    const inserts: FindingRow[] = [];
    const closes: string[] = [];
    let openAfter = 0;
    for (const { fileId, matches } of results) {
      const existing = new Map((byFile.get(fileId) ?? []).map((f) => [f.policy_id, f]));
      for (const m of matches) {
        openAfter++;
        const values = {
          policy_name: m.policyName,
          severity: m.severity,
          access_level: m.accessLevel,
          detector_counts_json: JSON.stringify(m.detectorCounts),
          samples_json: JSON.stringify(m.samples.map(storedSample)),
          updated_at: at,
        };
        const current = existing.get(m.policyId);
        existing.delete(m.policyId);
        if (current) {
          await this.db.updateTable('findings').set(values).where('id', '=', current.id).execute();
        } else {
          inserts.push({
            id: randomUUID(),
            connector_id: connectorId,
            file_id: fileId,
            policy_id: m.policyId,
            status: 'open',
            opened_at: at,
            closed_at: null,
            ...values,
          });
        }
      }
      for (const stale of existing.values()) closes.push(stale.id);
    }
    for (let i = 0; i < inserts.length; i += CHUNK)
      await this.db
        .insertInto('findings')
        .values(inserts.slice(i, i + CHUNK))
        .execute();
    opened?.push(...inserts);
    await this.closeIds(closes, at);
    return openAfter;
  }

  /** Closes every open finding of the files (deleted files). Returns how many were closed. */
  async closeForFiles(connectorId: string, fileIds: readonly string[], at: string): Promise<number> {
    let closed = 0;
    for (let i = 0; i < fileIds.length; i += CHUNK) {
      const ids = fileIds.slice(i, i + CHUNK);
      if (ids.length === 0) continue;
      const result = await this.db
        .updateTable('findings')
        .set({ status: 'closed', closed_at: at, updated_at: at })
        .where('connector_id', '=', connectorId)
        .where('file_id', 'in', ids)
        .where('status', '=', 'open')
        .executeTakeFirst();
      closed += Number(result.numUpdatedRows);
    }
    return closed;
  }

  /** The open findings of the files. */
  async openOf(connectorId: string, fileIds: readonly string[]): Promise<FindingRow[]> {
    const out: FindingRow[] = [];
    for (let i = 0; i < fileIds.length; i += CHUNK) {
      const ids = fileIds.slice(i, i + CHUNK);
      if (ids.length === 0) continue;
      out.push(
        ...(await this.db
          .selectFrom('findings')
          .selectAll()
          .where('connector_id', '=', connectorId)
          .where('file_id', 'in', ids)
          .where('status', '=', 'open')
          .execute()),
      );
    }
    return out;
  }

  /** Findings matching every filter, newest opened first, with their file; `{ items, nextCursor? }`. */
  async list(
    connectorId: string,
    q: FindingQuery = {},
  ): Promise<{ items: FindingWithFile[]; nextCursor?: string }> {
    const limit = pageLimit(q.limit);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, CURSOR_TAG, 2);
    const rows = await this.db
      .selectFrom('findings')
      .leftJoin('files', (j) =>
        j
          .onRef('files.connector_id', '=', 'findings.connector_id')
          .onRef('files.file_id', '=', 'findings.file_id'),
      )
      .selectAll('findings')
      .select(['files.name as file_name', 'files.path as file_path', 'files.owner_login as owner_login'])
      .where('findings.connector_id', '=', connectorId)
      .$if(q.severity !== undefined, (b) => b.where('findings.severity', '=', q.severity!))
      .$if(q.policy !== undefined, (b) => b.where('findings.policy_id', '=', q.policy!))
      .$if(q.status !== undefined, (b) => b.where('findings.status', '=', q.status!))
      .$if(q.fileId !== undefined, (b) => b.where('findings.file_id', '=', q.fileId!))
      .$if(after !== undefined, (b) =>
        b.where((eb) =>
          eb(eb.refTuple('findings.opened_at', 'findings.id'), '<', eb.tuple(after![0]!, after![1]!)),
        ),
      )
      .orderBy('findings.opened_at', 'desc')
      .orderBy('findings.id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return rows.length > limit && last
      ? { items, nextCursor: encodeCursor(CURSOR_TAG, [last.opened_at, last.id]) }
      : { items };
  }

  /** How many findings of the connector are open. */
  async countOpen(connectorId: string): Promise<number> {
    const row = await this.db
      .selectFrom('findings')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('connector_id', '=', connectorId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async closeIds(ids: readonly string[], at: string): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      if (chunk.length > 0)
        await this.db
          .updateTable('findings')
          .set({ status: 'closed', closed_at: at, updated_at: at })
          .where('id', 'in', chunk)
          .execute();
    }
  }
}
