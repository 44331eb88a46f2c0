import { InvalidCursorError } from '../../store/event-log-repository';
import { FindingsRepository } from '../../store/findings-repository';
import { InventoryRepository, type FileRow } from '../../store/inventory-repository';
import { PriorityOverflowRepository, OVERFLOW_LEASE_MS } from '../../store/priority-overflow-repository';
import { ScanWorkRepository } from '../../store/scan-work-repository';
import type { PolicyMatch } from '../../policies';
import type { FileEvent } from '../../domain/file-event';
import { DIALECTS, createTestStore } from '../helpers/stores';

const AT = '2026-06-01T00:00:00.000Z';

function file(id: string, extra: Partial<FileRow> = {}): FileRow {
  return {
    connector_id: 'c1',
    file_id: id,
    owner_id: 'u1',
    owner_login: 'ann@acme.test',
    name: `${id}.txt`,
    path: `/Docs/${id}.txt`,
    extension: 'txt',
    size: 120,
    sha1: `sha-${id}`,
    access_level: 'private',
    shared_link_access: null,
    collaborators_json: '{"internal":0,"external":0,"externalDomains":[]}',
    direct_collaborators_json: '[]',
    has_collaborations: 0,
    modified_at: AT,
    last_seen_pass: 1,
    walked_pass: 1,
    last_scanned_at: AT,
    scanned_sha1: `sha-${id}`,
    scanned_sharing_hash: 'h',
    scanned_policy_version: 'v1',
    inspection_status: 'Completed',
    inspection_reason: 'ok',
    deleted_at: null,
    updated_at: AT,
    ...extra,
  };
}

function match(policyId: string, severity: PolicyMatch['severity'] = 'high'): PolicyMatch {
  return {
    policyId,
    policyName: `Policy ${policyId}`,
    severity,
    accessLevel: 'private',
    detectorCounts: { us_ssn: 2 },
    samples: [{ detector: 'us_ssn', masked: '***-**-8741', likelihood: 'likely' }],
  };
}

function activity(fileId: string, kind: FileEvent['kind'] = 'content'): FileEvent {
  return { fileId, kind, eventType: 'EDIT', occurredAt: AT, source: 'webhook' };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: scan store`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let inventory: InventoryRepository;
    let findings: FindingsRepository;
    let work: ScanWorkRepository;
    let overflow: PriorityOverflowRepository;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      inventory = new InventoryRepository(store.db);
      findings = new FindingsRepository(store.db);
      work = new ScanWorkRepository(store.db);
      overflow = new PriorityOverflowRepository(store.db);
    });
    afterAll(() => store.dispose());

    it('upserting the same files twice leaves one row each, with the latest values', async () => {
      await inventory.upsertMany([file('f1'), file('f2')]);
      await inventory.upsertMany([file('f1', { size: 999, access_level: 'public' }), file('f2')]);
      expect(await inventory.count('c1')).toBe(2);
      expect(await inventory.get('c1', 'f1')).toMatchObject({ size: 999, access_level: 'public' });
    });

    it('a sync counts the open findings of the files it was told to count as well, and changes only its own', async () => {
      await findings.sync('c-count', [{ fileId: 'n1', matches: [match('a'), match('b')] }], AT);
      await findings.sync('c-count', [{ fileId: 'n2', matches: [match('a')] }], AT);
      // n1 judged again with one match left; n2 and n3 (no findings) only counted.
      expect(
        await findings.sync('c-count', [{ fileId: 'n1', matches: [match('a')] }], AT, [], ['n1', 'n2', 'n3']),
      ).toBe(2);
      expect((await findings.openOf('c-count', ['n2'])).map((f) => f.policy_id)).toEqual(['a']);
      expect(await findings.sync('c-count', [], AT, [], ['n1', 'n2'])).toBe(2);
      expect(await findings.sync('c-count', [{ fileId: 'n2', matches: [] }], AT, [], ['n1', 'n2'])).toBe(1);
    });

    it('syncing findings opens, updates and closes; the same sync again changes nothing', async () => {
      expect(await findings.sync('c1', [{ fileId: 'f1', matches: [match('a'), match('b')] }], AT)).toBe(2);
      expect(await findings.sync('c1', [{ fileId: 'f1', matches: [match('a'), match('b')] }], AT)).toBe(2);
      expect((await findings.openOf('c1', ['f1'])).map((f) => f.policy_id).sort()).toEqual(['a', 'b']);
      await findings.sync('c1', [{ fileId: 'f1', matches: [match('a', 'critical')] }], AT);
      const open = await findings.openOf('c1', ['f1']);
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ policy_id: 'a', severity: 'critical' });
      expect(JSON.parse(open[0]!.samples_json)).toEqual([
        { detector: 'us_ssn', masked: '***-**-8741', likelihood: 'likely' },
      ]);
      const closed = await findings.list('c1', { status: 'closed' });
      expect(closed.items.map((f) => f.policy_id)).toEqual(['b']);
      // A policy matching again opens a new finding; the closed one stays as history.
      await findings.sync('c1', [{ fileId: 'f1', matches: [match('a'), match('b')] }], AT);
      expect((await findings.list('c1', { policy: 'b' })).items.map((f) => f.status).sort()).toEqual([
        'closed',
        'open',
      ]);
    });

    it('a second open finding for the same file and policy is refused by the store (its unique index)', async () => {
      const [row] = await findings.openOf('c1', ['f1']);
      const refused = await store.db
        .insertInto('findings')
        .values({ ...row!, id: 'duplicate' })
        .execute()
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      // Matched by message, not with toThrow(): better-sqlite3 hands its native addon the SqliteError class
      // once per process, so in a later test file of the same jest worker the error comes from an earlier
      // file's realm, is no `instanceof Error` here, and toThrow() reports "did not throw".
      expect(refused).toMatchObject({ message: expect.stringMatching(/unique|duplicate/i) });
      const open = await findings.openOf('c1', ['f1']);
      expect(open.filter((f) => f.policy_id === row!.policy_id)).toHaveLength(1);
    });

    it('a sample given unmasked (masking: none) is stored masked, in its value and its context', async () => {
      const raw: PolicyMatch = {
        ...match('raw'),
        samples: [
          {
            detector: 'us_ssn',
            masked: '536-22-8741',
            likelihood: 'likely',
            offset: 14,
            context: 'Employee SSN: 536-22-8741, card ****',
            unmasked: true,
          },
        ],
      };
      await findings.sync('c1', [{ fileId: 'f9', matches: [raw] }], AT);
      const [row] = await findings.openOf('c1', ['f9']);
      expect(row!.samples_json).not.toContain('536-22');
      expect(JSON.parse(row!.samples_json)).toEqual([
        {
          detector: 'us_ssn',
          masked: '***-**-8741',
          likelihood: 'likely',
          offset: 14,
          context: 'Employee SSN: ***-**-8741, card ****',
        },
      ]);
    });

    it('finishing a pass marks files it did not see deleted and closes their findings', async () => {
      const started = await work.startPass({
        connectorId: 'c1',
        pass: 2,
        policyVersion: 'v1',
        internalDomains: ['acme.test'],
        users: [
          { id: 'u1', login: 'ann@acme.test' },
          { id: 'u2', login: 'bob@acme.test' },
        ],
        at: AT,
      });
      expect(started.users_total).toBe(2);
      // Starting again (a retried activity) changes nothing.
      await work.startPass({
        connectorId: 'c1',
        pass: 2,
        policyVersion: 'other',
        internalDomains: [],
        users: [],
        at: AT,
      });
      expect((await work.getPass('c1', 2))?.policy_version).toBe('v1');
      expect(await work.nextUsers('c1', 2, 10, [])).toEqual(['u1', 'u2']);
      expect(await work.nextUsers('c1', 2, 10, ['u1'])).toEqual(['u2']);
      await inventory.upsertMany([file('f2', { last_seen_pass: 2 }), file('g1', { owner_id: 'u2' })]);
      // u1's walk is finished; u2's is not (say it was skipped after an error): g1 is not taken for deleted.
      await store.db
        .updateTable('scan_users')
        .set({ done: 1 })
        .where('connector_id', '=', 'c1')
        .where('pass', '=', 2)
        .where('user_id', '=', 'u1')
        .execute();
      const unseen = await inventory.unseenIn('c1', 2);
      expect(unseen).toEqual(['f1']);
      await inventory.markDeleted('c1', unseen, AT);
      await findings.closeForFiles('c1', unseen, AT);
      expect(await inventory.get('c1', 'f1')).toMatchObject({ inspection_status: 'Deleted', deleted_at: AT });
      expect(await findings.openOf('c1', ['f1'])).toEqual([]);
      expect(await inventory.count('c1')).toBe(2);
    });

    it('a folder page recorded twice queues its subfolders once and counts once per record', async () => {
      const page = {
        connectorId: 'c1',
        pass: 2,
        userId: 'u1',
        folderId: '0',
        nextMarker: 'm2',
        subfolders: [{ folderId: '10', collaborators: ['x@partner.example'] }],
        counts: { filesSeen: 3, inspected: 2, skippedUnchanged: 1, findings: 1 },
        at: AT,
      };
      await work.recordPage(page);
      expect((await work.pendingFolders('c1', 2, 'u1', 10)).map((f) => [f.folder_id, f.marker])).toEqual([
        ['0', 'm2'],
        ['10', null],
      ]);
      await work.recordPage({ ...page, nextMarker: null, subfolders: page.subfolders });
      expect(await work.finishUserIfDone('c1', 2, 'u1', AT)).toBe(false);
      await work.recordPage({ ...page, folderId: '10', nextMarker: null, subfolders: [] });
      expect(await work.finishUserIfDone('c1', 2, 'u1', AT)).toBe(true);
      // Progress is what the store holds, whatever the workflow heard back from the steps.
      expect(await work.progress('c1')).toMatchObject({ pass: 2, usersDone: 1, filesSeen: 9, findings: 3 });
      expect((await work.progress('c1'))?.completedAt).toBeUndefined();
      expect(await work.nextUsers('c1', 2, 10, [])).toEqual(['u2']);
      expect(await work.passCounts('c1', 2)).toEqual({
        filesSeen: 9,
        inspected: 6,
        skippedUnchanged: 3,
        findings: 3,
      });
      await work.completePass('c1', 2, { ...(await work.passCounts('c1', 2)), deleted: 1 }, AT);
      expect(await work.getPass('c1', 2)).toMatchObject({ completed_at: AT, files_seen: 9, deleted: 1 });
      expect(await work.folderRows('c1')).toBe(0);
      expect((await work.latestPass('c1'))?.pass).toBe(2);
      expect(await work.progress('c1')).toMatchObject({
        pass: 2,
        completedAt: AT,
        filesSeen: 9,
        inspected: 6,
      });
      expect(await work.progress('nobody')).toBeUndefined();
    });

    it('priority rescans are counted in the transaction of their work, over every pass of the connector', async () => {
      const start = (pass: number) =>
        work.startPass({
          connectorId: 'c2',
          pass,
          policyVersion: 'v1',
          internalDomains: ['acme.test'],
          users: [{ id: 'u1', login: 'ann@acme.test' }],
          at: AT,
        });
      await start(1);
      expect(await work.progress('c2')).toMatchObject({ priorityScanned: 0 });
      expect((await work.progress('c2'))?.lastPassCompletedAt).toBeUndefined();
      await store.db
        .transaction()
        .execute((trx) => new ScanWorkRepository(trx).addPriorityScanned('c2', 1, 3));
      // Work whose transaction fails is not counted: the count rolls back with it.
      await expect(
        store.db.transaction().execute(async (trx) => {
          await new ScanWorkRepository(trx).addPriorityScanned('c2', 1, 5);
          throw new Error('the page failed');
        }),
      ).rejects.toThrow('the page failed');
      expect(await work.priorityScanned('c2')).toBe(3);
      await work.completePass('c2', 1, { ...(await work.passCounts('c2', 1)), deleted: 0 }, AT);
      await start(2);
      await work.addPriorityScanned('c2', 2, 2);
      expect(await work.progress('c2')).toMatchObject({
        pass: 2,
        priorityScanned: 5,
        lastPassCompletedAt: AT,
      });
      expect((await work.progress('c2'))?.completedAt).toBeUndefined();
      expect(await work.priorityScanned('c1')).toBe(0);
    });

    it('overflow keeps one row per file, hands out the oldest first, and re-offers what was never acknowledged', async () => {
      expect(await overflow.store('c9', [activity('a'), activity('b'), activity('a', 'sharing')], AT)).toBe(
        2,
      );
      expect(await overflow.store('c9', [activity('c')], '2026-06-01T00:00:01.000Z')).toBe(1);
      // Stored again: a new activity for the row, no file added.
      expect(await overflow.store('c9', [activity('a', 'sharing'), activity('c')], AT)).toBe(0);
      expect(await overflow.count('c9')).toBe(3);
      const now = new Date('2026-06-01T00:01:00.000Z');
      const first = await overflow.take('c9', 2, now);
      expect(first.map((f) => [f.fileId, f.kind])).toEqual([
        ['a', 'sharing'],
        ['b', 'content'],
      ]);
      expect((await overflow.take('c9', 5, now)).map((f) => f.fileId)).toEqual(['c']);
      expect(await overflow.take('c9', 5, now)).toEqual([]);
      await overflow.acknowledge('c9', ['a', 'c']);
      expect(await overflow.count('c9')).toBe(1);
      // Taking some files only: the others stay for a later take.
      await overflow.store('c8', [activity('x'), activity('y'), activity('z')], AT);
      expect((await overflow.take('c8', 5, now, ['z', 'gone'])).map((f) => f.fileId)).toEqual(['z']);
      expect((await overflow.take('c8', 5, now)).map((f) => f.fileId)).toEqual(['x', 'y']);
      expect(await overflow.take('c8', 5, now, [])).toEqual([]);
      // b was taken but its result never stored: after the lease it is handed out again.
      const later = new Date(now.getTime() + OVERFLOW_LEASE_MS + 1000);
      expect((await overflow.take('c9', 5, later)).map((f) => f.fileId)).toEqual(['b']);
      // Stored again while taken: the new activity waits, an acknowledgement of the old take keeps it.
      await overflow.store('c9', [activity('b', 'delete')], AT);
      await overflow.acknowledge('c9', ['b']);
      expect((await overflow.take('c9', 5, later)).map((f) => f.kind)).toEqual(['delete']);
    });

    it('files and findings page by keyset cursor without gaps or repeats; a foreign cursor is refused', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(3, '0')}`);
      await inventory.upsertMany(
        ids.map((id, i) => file(id, { connector_id: 'c2', access_level: i % 2 ? 'public' : 'private' })),
      );
      await findings.sync(
        'c2',
        ids.map((id, i) => ({
          fileId: id,
          matches: i % 3 === 0 ? [match('pii')] : [match('pci', 'medium')],
        })),
        AT,
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await inventory.list('c2', { accessLevel: 'public', limit: 4, cursor });
        seen.push(...page.items.map((f) => f.file_id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids.filter((_, i) => i % 2));
      const withPii = await inventory.list('c2', { policy: 'pii', limit: 100 });
      expect(withPii.items).toHaveLength(9);
      const found: string[] = [];
      cursor = undefined;
      do {
        const page = await findings.list('c2', { severity: 'medium', status: 'open', limit: 5, cursor });
        found.push(...page.items.map((f) => f.file_id));
        expect(page.items.every((f) => f.file_name !== null)).toBe(true);
        cursor = page.nextCursor;
      } while (cursor);
      expect(found.sort()).toEqual(ids.filter((_, i) => i % 3 !== 0));
      const filesCursor = (await inventory.list('c2', { limit: 1 })).nextCursor!;
      await expect(findings.list('c2', { cursor: filesCursor })).rejects.toThrow(InvalidCursorError);
    });
  });
}
