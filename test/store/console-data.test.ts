import { CompiledQuery } from 'kysely';
import type { PolicyMatch } from '../../policies';
import { FindingsRepository } from '../../store/findings-repository';
import { migrateTo, migrateToLatest } from '../../store/migrate';
import { InventoryRepository, type FileQuery, type FileRow } from '../../store/inventory-repository';
import { DIALECTS, createTestStore } from '../helpers/stores';

const AT = '2026-06-01T00:00:00.000Z';
const LATER = '2026-06-02T00:00:00.000Z';
const LEVELS = ['private', 'internal', 'external', 'public'] as const;
const LINKS = [null, 'open', 'company', 'collaborators'] as const;
const OWNERS = ['ann@acme.test', 'bob@acme.test', 'cy@acme.test'];
const DOMAINS = [[], ['partner.test'], ['partner.test', 'gmail.test'], ['gmail.test']];

function file(i: number): FileRow {
  const id = String(1000 + i);
  const domains = DOMAINS[i % 4]!;
  return {
    connector_id: 'c1',
    file_id: id,
    owner_id: `u${i % 3}`,
    owner_login: OWNERS[i % 3]!,
    name: i % 5 === 0 ? `Payroll_${i}%.XLSX` : `notes-${i}.txt`,
    path: `/Docs/${id}`,
    extension: 'txt',
    size: 10,
    sha1: `sha-${id}`,
    access_level: LEVELS[i % 4]!,
    shared_link_access: LINKS[(i >> 1) % 4]!,
    collaborators_json: JSON.stringify({ internal: 0, external: domains.length, externalDomains: domains }),
    direct_collaborators_json: '[]',
    has_collaborations: domains.length > 0 ? 1 : 0,
    modified_at: AT,
    last_seen_pass: 1,
    walked_pass: 1,
    last_scanned_at: AT,
    scanned_sha1: `sha-${id}`,
    scanned_sharing_hash: 'h',
    scanned_policy_version: 'v1',
    inspection_status: 'Completed',
    inspection_reason: 'ok',
    deleted_at: i % 11 === 0 ? AT : null,
    updated_at: AT,
  };
}

function match(policyId: string, severity: PolicyMatch['severity'], last4 = '8741'): PolicyMatch {
  return {
    policyId,
    policyName: `Policy ${policyId}`,
    severity,
    accessLevel: 'public',
    detectorCounts: { us_ssn: 1 },
    samples: [{ detector: 'us_ssn', masked: `***-**-${last4}`, likelihood: 'likely' }],
  };
}

const matchesOf = (i: number): PolicyMatch[] => [
  ...(i % 3 === 0 ? [match('pii', 'high')] : []),
  ...(i % 7 === 0 ? [match('pci', 'critical')] : []),
  ...(i % 6 === 1 ? [match('hr', 'high')] : []),
];

const FILES = Array.from({ length: 90 }, (_, i) => file(i));

/** What the file list must return for a query, computed here from the rows themselves. */
function expected(q: FileQuery): string[] {
  return FILES.map((f, i) => ({ f, m: matchesOf(i) }))
    .filter(({ f }) => f.deleted_at === null)
    .filter(({ f }) => !q.accessLevel || f.access_level === q.accessLevel)
    .filter(({ f }) => !q.sharedLink || (f.shared_link_access ?? 'none') === q.sharedLink)
    .filter(({ f }) => !q.owner || f.owner_login === q.owner.toLowerCase())
    .filter(({ m }) => !q.policy || m.some((x) => x.policyId === q.policy))
    .filter(({ m }) => !q.severity || m.some((x) => x.severity === q.severity))
    .filter(
      ({ f }) =>
        !q.domain ||
        (JSON.parse(f.collaborators_json) as { externalDomains: string[] }).externalDomains.includes(
          q.domain,
        ),
    )
    .filter(({ f }) => !q.name || f.name.toLowerCase().includes(q.name.toLowerCase()))
    .map(({ f }) => f.file_id);
}

const QUERIES: FileQuery[] = [
  {},
  { accessLevel: 'public' },
  { sharedLink: 'none' },
  { sharedLink: 'company', accessLevel: 'internal' },
  { owner: 'BOB@acme.test' },
  { policy: 'pii' },
  { severity: 'high' },
  { severity: 'high', accessLevel: 'external', owner: 'ann@acme.test' },
  { domain: 'partner.test' },
  { domain: 'gmail.test', policy: 'pii' },
  { name: 'payroll_' },
  { name: '%' },
  { name: 'PAYROLL', accessLevel: 'public', sharedLink: 'open' },
  { policy: 'pci', severity: 'critical', domain: 'partner.test', name: 'payroll' },
  { owner: 'nobody@acme.test' },
];

for (const dialect of DIALECTS) {
  describe(`${dialect}: the console's file list and finding decisions`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let inventory: InventoryRepository;
    let findings: FindingsRepository;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      // A window of 7 index entries: most pages are cut short by it, which is what the test pages through.
      inventory = new InventoryRepository(store.db, { listWindow: 7 });
      findings = new FindingsRepository(store.db);
      await inventory.upsertMany(FILES);
      await findings.sync(
        'c1',
        FILES.map((f, i) => ({ fileId: f.file_id, matches: matchesOf(i) })),
        AT,
      );
    });
    afterAll(() => store.dispose());

    it.each(QUERIES.map((q) => [JSON.stringify(q), q] as const))(
      'the files of %s, paged by cursor, are exactly the matching files in file-id order',
      async (_name, q) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await inventory.list('c1', { ...q, limit: 4, cursor });
          expect(page.items.length).toBeLessThanOrEqual(4);
          seen.push(...page.items.map((f) => f.file_id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor && pages < 200);
        expect(seen).toEqual(expected(q));
      },
    );

    it('a file whose collaborators change is found under its new domains only', async () => {
      const f = FILES[2]!; // partner.test and gmail.test
      await inventory.upsertMany([
        { ...f, collaborators_json: '{"internal":0,"external":1,"externalDomains":["Other.test"]}' },
      ]);
      const ids = async (domain: string) =>
        (await new InventoryRepository(store.db).list('c1', { domain, limit: 1000 })).items.map(
          (r) => r.file_id,
        );
      expect(await ids('other.test')).toEqual([f.file_id]);
      expect(await ids('partner.test')).not.toContain(f.file_id);
      await inventory.upsertMany([f]);
      expect(await ids('partner.test')).toContain(f.file_id);
    });

    it('a dismissed finding stays dismissed when a rescan finds it again; a resolved one reopens', async () => {
      const fileId = FILES[3]!.file_id; // pii
      const [pii] = (await findings.openOf('c1', [fileId])).filter((f) => f.policy_id === 'pii');
      const dismissed = await findings.decide('c1', pii!.id, 'dismiss', {
        login: 'ana@acme.test',
        reason: 'test data',
        at: LATER,
      });
      expect(dismissed).toMatchObject({
        kind: 'decided',
        finding: { status: 'dismissed', decided_by: 'ana@acme.test', decision_reason: 'test data' },
      });
      expect(await findings.decide('c1', pii!.id, 'resolve', { login: 'x', at: LATER })).toMatchObject({
        kind: 'not-open',
        finding: { status: 'dismissed' },
      });
      // The rescan finds the same value (and then a new one): still dismissed, one finding, new samples.
      const opened: unknown[] = [];
      expect(
        await findings.sync('c1', [{ fileId, matches: [match('pii', 'high')] }], LATER, opened as never),
      ).toBe(0);
      await findings.sync(
        'c1',
        [{ fileId, matches: [match('pii', 'high', '1234')] }],
        LATER,
        opened as never,
      );
      expect(opened).toEqual([]);
      const rows = (await findings.list('c1', { fileId })).items.filter((f) => f.policy_id === 'pii');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: pii!.id, status: 'dismissed' });
      expect(rows[0]!.samples_json).toContain('***-**-1234');
      // A dismissed finding is no open finding: the policy filter of the file list leaves the file out.
      expect(
        (await inventory.list('c1', { policy: 'pii', limit: 1000 })).items.map((f) => f.file_id),
      ).not.toContain(fileId);

      const other = FILES[6]!.file_id; // pii
      const [open] = await findings.openOf('c1', [other]);
      expect(
        (await findings.decide('c1', open!.id, 'resolve', { login: 'ana@acme.test', at: LATER })).kind,
      ).toBe('decided');
      // Not found by a rescan: it stays resolved.
      await findings.sync('c1', [{ fileId: other, matches: [] }], LATER);
      expect(await findings.get('c1', open!.id)).toMatchObject({ status: 'resolved' });
      // Found again: it reopens (the same finding), undecided, and counts as opened.
      const reopened: Array<{ id: string }> = [];
      expect(
        await findings.sync(
          'c1',
          [{ fileId: other, matches: [match('pii', 'high')] }],
          LATER,
          reopened as never,
        ),
      ).toBe(1);
      expect(reopened.map((f) => f.id)).toEqual([open!.id]);
      expect(await findings.get('c1', open!.id)).toMatchObject({ status: 'open', decided_by: null });
      expect(await findings.decide('c1', 'no-such-finding', 'dismiss', { login: 'x', at: LATER })).toEqual({
        kind: 'not-found',
      });
    });

    it('a dismissed finding whose file no longer matches is closed; a later match opens a new one', async () => {
      const fileId = FILES[9]!.file_id; // pii
      const [open] = await findings.openOf('c1', [fileId]);
      await findings.decide('c1', open!.id, 'dismiss', { login: 'ana@acme.test', reason: 'ok', at: LATER });
      await findings.sync('c1', [{ fileId, matches: [] }], LATER);
      expect(await findings.get('c1', open!.id)).toMatchObject({
        status: 'closed',
        decided_by: 'ana@acme.test',
      });
      await findings.sync('c1', [{ fileId, matches: [match('pii', 'high')] }], LATER);
      const [again] = await findings.openOf('c1', [fileId]);
      expect(again!.id).not.toBe(open!.id);
    });

    it('migration 014 goes down (decided findings become closed history) and up again (domains refilled)', async () => {
      const dismissed = (await findings.list('c1', { status: 'dismissed', limit: 1000 })).items;
      expect(dismissed.length).toBeGreaterThan(0);
      const domainRows = await store.db.selectFrom('file_domains').select(['file_id', 'domain']).execute();
      await migrateTo(store.db, '013-governance');
      const back = await store.db
        .selectFrom('findings')
        .select('status')
        .where(
          'id',
          'in',
          dismissed.map((f) => f.id),
        )
        .execute();
      expect(new Set(back.map((r) => r.status))).toEqual(new Set(['closed']));
      await migrateToLatest(store.db);
      const refilled = await store.db.selectFrom('file_domains').select(['file_id', 'domain']).execute();
      const key = (r: { file_id: string; domain: string }) => `${r.file_id} ${r.domain}`;
      expect(refilled.map(key).sort()).toEqual(domainRows.map(key).sort());
      expect(
        (await inventory.list('c1', { domain: 'gmail.test', limit: 1000 })).items.map((f) => f.file_id),
      ).toEqual(expected({ domain: 'gmail.test' }));
    });

    if (dialect === 'sqlite')
      it.each(QUERIES.map((q) => [JSON.stringify(q), q] as const))(
        'the query plan of %s reads an index, never a whole table',
        async (_name, q) => {
          const cursor = (await inventory.list('c1', { ...q, limit: 1 })).nextCursor;
          for (const query of inventory.compileList('c1', { ...q, cursor })) {
            const plan = await store.db.executeQuery<{ detail: string }>(
              CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]),
            );
            const details = plan.rows.map((r) => r.detail);
            // SQLite says `SCAN <table>` for a full table read, `SEARCH ... USING INDEX` (or `SCAN w` for
            // the bounded window it materialized) otherwise.
            const fullScans = details.filter((d) =>
              /^SCAN (files|findings|file_domains)\b(?! USING)/.test(d),
            );
            expect({ details, fullScans }).toEqual({ details, fullScans: [] });
            expect(details.join('\n')).toMatch(/USING (COVERING )?INDEX|USING PRIMARY KEY/);
          }
        },
      );
  });
}
