import { ConnectorsRepository } from '../../store/connectors-repository';
import { GovernanceRepository, type NewGovernanceAction } from '../../store/governance-repository';
import { DIALECTS, createConnectors, createTestStore } from '../helpers/stores';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, 0) + ms).toISOString();

function action(id: string, extra: Partial<NewGovernanceAction> = {}): NewGovernanceAction {
  return {
    id,
    connectorId: 'c1',
    fileId: '900',
    ownerId: '100',
    kind: 'remove-shared-link',
    params: {},
    policyId: 'ssn-public',
    findingId: `finding-${id}`,
    sourceKey: `finding-${id}/0`,
    mode: 'automatic',
    dryRun: false,
    requestedBy: 'policy:ssn-public',
    expected: { sha1: 'abc', sharedLinkAccess: 'open', collaborators: [] },
    ...extra,
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: governance actions and audit`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let repo: GovernanceRepository;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      repo = new GovernanceRepository(store.db);
      await createConnectors(store.db, ['c1', 'c2']);
    });
    afterAll(() => store.dispose());

    it('records an action once per source key, pending and unstarted, with its first audit entry', async () => {
      expect(await repo.record([action('a1'), action('a2')], at(0))).toEqual(['a1', 'a2']);
      // The same finding's action again (a retried step): nothing new.
      expect(await repo.record([action('a1-again', { sourceKey: 'finding-a1/0' })], at(1))).toEqual([]);
      const row = await repo.get('c1', 'a1');
      expect(row).toMatchObject({ state: 'pending', started_at: null, mode: 'automatic', dry_run: 0 });
      expect(JSON.parse(row!.expected_json!)).toEqual({
        sha1: 'abc',
        sharedLinkAccess: 'open',
        collaborators: [],
      });
      expect((await repo.auditOf('a1')).map((e) => [e.step, e.event, e.actor])).toEqual([
        [0, 'recorded', 'policy:ssn-public'],
      ]);
      expect(await repo.get('c2', 'a1')).toBeUndefined();
    });

    it('manual actions (no source key) are all recorded', async () => {
      const manual = (id: string) =>
        action(id, { sourceKey: null, findingId: null, mode: 'manual', requestedBy: 'dana' });
      expect(await repo.record([manual('m1'), manual('m2')], at(2))).toEqual(['m1', 'm2']);
    });

    it('a transition sets the fields and appends its audit entry once, however often it is applied', async () => {
      const step = {
        step: 1,
        at: at(10),
        event: 'approved',
        actor: 'dana@acme.test',
        detail: { note: 'ok' },
      };
      for (let i = 0; i < 2; i++)
        await repo.transition(
          'c1',
          'a1',
          { state: 'approved', approver: 'dana@acme.test', decided_at: at(10) },
          step,
        );
      const row = await repo.get('c1', 'a1');
      expect(row).toMatchObject({
        state: 'approved',
        approver: 'dana@acme.test',
        decided_at: at(10),
        updated_at: at(10),
      });
      const audit = await repo.auditOf('a1');
      expect(audit.map((e) => e.event)).toEqual(['recorded', 'approved']);
      expect(JSON.parse(audit[1]!.detail_json)).toEqual({ note: 'ok' });
      await expect(repo.transition('c1', 'nope', { state: 'done' }, { ...step, step: 2 })).rejects.toThrow(
        /No governance action/,
      );
    });

    it('the outbox: unstarted actions older than the grace, of active connectors, until marked started', async () => {
      expect((await repo.unstarted(at(1), 10)).map((r) => r.id)).toEqual(['a1', 'a2']);
      await repo.markStarted(['a1'], at(20));
      expect((await repo.unstarted(at(100), 10)).map((r) => r.id).sort()).toEqual(['a2', 'm1', 'm2']);
      await new ConnectorsRepository(store.db).updateStatus('c1', {
        status: 'Disconnected',
        statusMessage: '',
      });
      expect(await repo.unstarted(at(100), 10)).toEqual([]);
      await new ConnectorsRepository(store.db).updateStatus('c1', { status: 'Connected', statusMessage: '' });
    });

    it('box state before and after, the last done action of a file, filters and pages', async () => {
      await repo.setBoxState('c1', 'a2', {
        before: { parentId: '5' },
        after: { parentId: '6' },
        outcome: 'moved',
      });
      await repo.transition(
        'c1',
        'a2',
        { state: 'done' },
        { step: 1, at: at(30), event: 'done', actor: 'system' },
      );
      const a2 = await repo.get('c1', 'a2');
      expect(JSON.parse(a2!.before_json!)).toEqual({ parentId: '5' });
      expect(a2!.outcome).toBe('moved');
      expect((await repo.lastDone('c1', '900', ['remove-shared-link']))?.id).toBe('a2');
      expect(await repo.lastDone('c1', '900', ['quarantine'])).toBeUndefined();
      expect((await repo.list('c1', { state: 'done' })).items.map((r) => r.id)).toEqual(['a2']);
      expect((await repo.list('c1', { policy: 'nope' })).items).toEqual([]);
      const first = await repo.list('c1', { limit: 2 });
      expect(first.items).toHaveLength(2);
      const rest = await repo.list('c1', { limit: 2, cursor: first.nextCursor });
      const ids = [...first.items, ...rest.items].map((r) => r.id);
      expect(new Set(ids).size).toBe(4);
      const trail = await repo.auditOfFile('c1', '900', { limit: 3 });
      const more = await repo.auditOfFile('c1', '900', { limit: 3, cursor: trail.nextCursor });
      expect([...trail.items, ...more.items].map((e) => `${e.action_id}:${e.step}`).sort()).toEqual(
        ['a1:0', 'a1:1', 'a2:0', 'a2:1', 'm1:0', 'm2:0'].sort(),
      );
    });
  });
}
