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

/**
 * Finding statuses: `open` while the file matches the policy, `closed` once it no longer does;
 * `dismissed` (an analyst says it is no problem: it stays dismissed while the file keeps matching) and
 * `resolved` (an analyst says it is dealt with: it opens again if a scan finds it again).
 */
export const FINDING_STATUSES = ['open', 'closed', 'dismissed', 'resolved'] as const;
/** One of FINDING_STATUSES. */
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** The decisions an analyst makes on an open finding, and the status each leaves. */
export const FINDING_DECISIONS = { dismiss: 'dismissed', resolve: 'resolved' } as const;
/** One of the keys of FINDING_DECISIONS. */
export type FindingDecision = keyof typeof FINDING_DECISIONS;

/** What FindingsRepository.decide did: the finding after it, or why nothing changed. */
export type DecisionOutcome =
  | { kind: 'decided'; finding: FindingRow }
  | { kind: 'not-found' }
  | { kind: 'not-open'; finding: FindingRow };

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
 * Findings per file and policy. A finding is identified across scans by (connector, file, policy): at most
 * one *current* finding (open, dismissed or resolved) per triple (a partial unique index, migration 014).
 * A closed finding stays as history, and a policy that matches the file again opens a new one; a scan that
 * matches a dismissed finding's policy again leaves it dismissed (with the new samples), one that matches a
 * resolved finding's reopens it.
 */
export class FindingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Makes the open findings of each file equal its matches: a match without an open finding opens one, a
   * match with one updates it (severity, counts, samples), an open finding without a match is closed.
   * Running it again with the same matches changes nothing but `updated_at`. Returns how many findings of
   * these files, and of the files of `alsoCount` (a page's files that were not judged again), are open
   * afterwards: read with the others, in the same query. `opened`, when given, receives the findings
   * opened by this call (what governance acts on: a new open finding, never a repeat of one).
   */
  async sync(
    connectorId: string,
    results: ReadonlyArray<{ fileId: string; matches: readonly PolicyMatch[] }>,
    at: string,
    opened?: FindingRow[],
    alsoCount: readonly string[] = [],
  ): Promise<number> {
    const synced = new Set(results.map((r) => r.fileId));
    const counted = alsoCount.filter((id) => !synced.has(id));
    const current = await this.currentOf(connectorId, [...synced, ...counted]);
    const openOfCounted = current.filter((f) => !synced.has(f.file_id) && f.status === 'open').length;
    const byFile = new Map<string, FindingRow[]>();
    for (const row of current) byFile.set(row.file_id, [...(byFile.get(row.file_id) ?? []), row]);
    const inserts: FindingRow[] = [];
    const closes: string[] = [];
    let openAfter = 0;
    for (const { fileId, matches } of results) {
      const existing = new Map((byFile.get(fileId) ?? []).map((f) => [f.policy_id, f]));
      for (const m of matches) {
        const values = {
          policy_name: m.policyName,
          severity: m.severity,
          access_level: m.accessLevel,
          detector_counts_json: JSON.stringify(m.detectorCounts),
          samples_json: JSON.stringify(m.samples.map(storedSample)),
          updated_at: at,
        };
        const found = existing.get(m.policyId);
        existing.delete(m.policyId);
        if (found?.status === 'dismissed') {
          // The analyst's decision holds while the file keeps matching: new samples, still dismissed.
          await this.db.updateTable('findings').set(values).where('id', '=', found.id).execute();
          continue;
        }
        openAfter++;
        if (found?.status === 'resolved') {
          const reopened = {
            ...values,
            status: 'open',
            opened_at: at,
            decided_by: null,
            decided_at: null,
            decision_reason: null,
          };
          await this.db.updateTable('findings').set(reopened).where('id', '=', found.id).execute();
          opened?.push({ ...found, ...reopened });
        } else if (found) {
          await this.db.updateTable('findings').set(values).where('id', '=', found.id).execute();
        } else {
          inserts.push({
            id: randomUUID(),
            connector_id: connectorId,
            file_id: fileId,
            policy_id: m.policyId,
            status: 'open',
            opened_at: at,
            closed_at: null,
            decided_by: null,
            decided_at: null,
            decision_reason: null,
            ...values,
          });
        }
      }
      // A finding no longer matched closes; a resolved one is already dealt with and stays resolved.
      for (const stale of existing.values()) if (stale.status !== 'resolved') closes.push(stale.id);
    }
    for (let i = 0; i < inserts.length; i += CHUNK)
      await this.db
        .insertInto('findings')
        .values(inserts.slice(i, i + CHUNK))
        .execute();
    opened?.push(...inserts);
    await this.closeIds(closes, at);
    return openAfter + openOfCounted;
  }

  /**
   * Dismisses or resolves an open finding, recording who, when and why. A finding that is not open is left
   * as it is (`not-open`, with its status): the caller answers 409.
   */
  async decide(
    connectorId: string,
    findingId: string,
    decision: FindingDecision,
    by: { login: string; reason?: string; at: string },
  ): Promise<DecisionOutcome> {
    const result = await this.db
      .updateTable('findings')
      .set({
        status: FINDING_DECISIONS[decision],
        decided_by: by.login,
        decided_at: by.at,
        decision_reason: by.reason ?? null,
        updated_at: by.at,
      })
      .where('connector_id', '=', connectorId)
      .where('id', '=', findingId)
      .where('status', '=', 'open')
      .executeTakeFirst();
    const finding = await this.get(connectorId, findingId);
    if (!finding) return { kind: 'not-found' };
    return Number(result.numUpdatedRows) === 1 ? { kind: 'decided', finding } : { kind: 'not-open', finding };
  }

  /** One finding of the connector, or undefined. */
  async get(connectorId: string, findingId: string): Promise<FindingRow | undefined> {
    return this.db
      .selectFrom('findings')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .where('id', '=', findingId)
      .executeTakeFirst();
  }

  /** Closes every open or dismissed finding of the files (deleted files). Returns how many were closed. */
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
        .where('status', 'in', ['open', 'dismissed'])
        .executeTakeFirst();
      closed += Number(result.numUpdatedRows);
    }
    return closed;
  }

  /** The open findings of the files. */
  async openOf(connectorId: string, fileIds: readonly string[]): Promise<FindingRow[]> {
    return (await this.currentOf(connectorId, fileIds)).filter((f) => f.status === 'open');
  }

  /** The current findings of the files: open, dismissed or resolved (one per file and policy). */
  private async currentOf(connectorId: string, fileIds: readonly string[]): Promise<FindingRow[]> {
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
          .where('status', '<>', 'closed')
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
    const rows = await this.withFile(connectorId)
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

  /** One finding with its file, or undefined. */
  async getWithFile(connectorId: string, findingId: string): Promise<FindingWithFile | undefined> {
    return this.withFile(connectorId).where('findings.id', '=', findingId).executeTakeFirst();
  }

  private withFile(connectorId: string) {
    return this.db
      .selectFrom('findings')
      .leftJoin('files', (j) =>
        j
          .onRef('files.connector_id', '=', 'findings.connector_id')
          .onRef('files.file_id', '=', 'findings.file_id'),
      )
      .selectAll('findings')
      .select(['files.name as file_name', 'files.path as file_path', 'files.owner_login as owner_login'])
      .where('findings.connector_id', '=', connectorId);
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
