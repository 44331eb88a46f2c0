/**
 * The scan activities against box-sim, called directly (the lead's workflow tests cover scanFiles):
 * a full pass over every user compared with box-sim's ground truth, an unchanged pass that downloads
 * nothing, priority rescans after edits, shares and trashes, and a walk interrupted mid-user.
 *
 * Ground truth -> findings of the built-in templates (no policy file; internal domains are the enterprise
 * users' login domains, so box-sim's `*.example` partner addresses are external):
 * - planted `credit_card` -> pci-card-numbers; `us_ssn` -> pii-us-ssn; `iban` -> financial-iban;
 *   `aws_access_key` -> credentials-secrets (planted `email` has no template; near misses match nothing);
 * - shared link `open` -> public -> exposure-public-link;
 * - otherwise an external collaborator (direct or inherited from a folder) -> external ->
 *   exposure-external-users (public wins over external: the widest level is the file's access level);
 * - public or external and any planted card / SSN / IBAN / AWS key -> sensitive-shared-externally.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createScanActivities, DEFAULT_SCAN_BUDGET, type ScanDeps } from '../../activities/scan-activities';
import { BoxClientPool } from '../../box/box-client-pool';
import { UserRateBudget } from '../../box/user-rate-budget';
import { exchangeAuthorizationCode } from '../../box/box-connection';
import { TokenCipher } from '../../box/token-cipher';
import { TokenVault } from '../../box/token-vault';
import { startBoxSim, type BoxSim } from '../../box-sim';
import { BoxTokensRepository } from '../../store/box-tokens-repository';
import { FindingsRepository } from '../../store/findings-repository';
import { InventoryRepository } from '../../store/inventory-repository';
import { ScanWorkRepository } from '../../store/scan-work-repository';
import type { ScanActivities, ScanCounts } from '../../workflows/scan-files-activities';
import { clickThroughConsent } from '../../box-sim/consent-client';
import { createTestStore } from '../helpers/stores';
import { simConfig } from './box/box-test-kit';
import { expectedPolicies } from '../helpers/truth-findings';

const CONTENT = 'GET /2.0/files/:id/content';
const FILE_COLLABORATIONS = 'GET /2.0/files/:id/collaborations';

describe('scan activities against box-sim', () => {
  let sim: BoxSim;
  let store: Awaited<ReturnType<typeof createTestStore>>;
  let vault: TokenVault;
  let clients: BoxClientPool;
  let findings: FindingsRepository;
  let inventory: InventoryRepository;
  let connectorId: string;
  let scan: ScanActivities;

  /** Runs an activity in a fresh mock activity context (what a worker would give it). */
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment().run<A, R, (...args: A) => Promise<R>>(fn, ...args);

  async function authorize(): Promise<string> {
    const id = `scan-${randomBytes(3).toString('hex')}`;
    const redirect = await clickThroughConsent(
      sim.authorizeUrl({ redirectUri: 'http://127.0.0.1:3000/oauth/box/callback', state: 's' }),
      sim.manifest.admin.login,
    );
    await exchangeAuthorizationCode({
      config: simConfig(sim),
      dataCenter: 'US1',
      connectorId: id,
      vault,
      code: redirect.searchParams.get('code')!,
    });
    return id;
  }

  /**
   * A whole pass as the workflow drives it (walk-steps-span-users): steps of up to four users, two walked at
   * once, the users a step left unfinished given to the next.
   */
  async function fullPass(acts: ScanActivities, id: string, pass: number): Promise<ScanCounts> {
    await run(acts.startScanPass, { connectorId: id, dataCenter: 'US1', scope: 'allUsers', pass });
    const total: ScanCounts = { filesSeen: 0, inspected: 0, skippedUnchanged: 0, findings: 0 };
    let unfinished: string[] = [];
    for (;;) {
      const fresh = await run(acts.nextScanUsers, { connectorId: id, pass, limit: 4, exclude: unfinished });
      const userIds = [...unfinished, ...fresh].slice(0, 4);
      if (userIds.length === 0) break;
      const r = await run(acts.walkUsers, {
        connectorId: id,
        dataCenter: 'US1',
        pass,
        userIds,
        usersAtOnce: 2,
      });
      expect(r.skipped).toEqual([]);
      total.filesSeen += r.filesSeen;
      total.inspected += r.inspected;
      total.skippedUnchanged += r.skippedUnchanged;
      total.findings += r.findings;
      unfinished = r.unfinished;
    }
    await run(acts.finishScanPass, { connectorId: id, pass, counts: total });
    return total;
  }

  /** Open findings by file: file id -> sorted policy ids. */
  async function openFindings(id: string): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    let cursor: string | undefined;
    do {
      const page = await findings.list(id, { status: 'open', limit: 1000, cursor });
      for (const f of page.items) out.set(f.file_id, [...(out.get(f.file_id) ?? []), f.policy_id].sort());
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  function truthFindings(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const truth of sim.manifest.files({ activeOnly: true })) {
      const policies = expectedPolicies(truth);
      if (policies.length > 0) out.set(truth.id, policies);
    }
    return out;
  }

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 23, users: 6, files: 1000, rateLimitPerMinute: 0 });
    store = await createTestStore('sqlite');
    vault = new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(randomBytes(32)));
    clients = new BoxClientPool({
      config: simConfig(sim),
      vault,
      retry: { baseDelayMs: 10, maxDelayMs: 200 },
    });
    findings = new FindingsRepository(store.db);
    inventory = new InventoryRepository(store.db);
    // Whole files are inspected: box-sim plants values anywhere in its 1-3 MB files, beyond the product's
    // default text limit (1,000,000 characters, the commercial connector's), which would hide a few.
    const deps: ScanDeps = { config: { policies: {} }, store, clients, limits: { maxTextChars: 4_000_000 } };
    scan = createScanActivities(deps);
    connectorId = await authorize();
  });
  afterAll(async () => {
    await sim?.close();
    await store?.dispose();
  });

  test('a full pass over every user finds exactly what box-sim planted and shared', async () => {
    const counts = await fullPass(scan, connectorId, 1);
    const active = [...sim.manifest.files({ activeOnly: true })];
    expect(counts.filesSeen).toBe(active.length);
    expect(await inventory.count(connectorId)).toBe(active.length);
    const truth = truthFindings();
    expect(truth.size).toBeGreaterThan(50);
    expect(Object.fromEntries(await openFindings(connectorId))).toEqual(Object.fromEntries(truth));
    const pass = await new ScanWorkRepository(store.db).getPass(connectorId, 1);
    expect(pass).toMatchObject({ files_seen: active.length, deleted: 0 });
    expect(pass?.completed_at).not.toBeNull();
    // Inventory facts follow the truth too: owner, path, sha1, access level.
    for (const t of active.slice(0, 50)) {
      const row = await inventory.get(connectorId, t.id);
      expect(row).toMatchObject({ owner_id: t.ownerId, path: t.path, sha1: t.sha1, size: t.size });
    }
  });

  test('a second pass without changes downloads nothing and costs about a call per folder', async () => {
    sim.resetStats();
    const counts = await fullPass(scan, connectorId, 2);
    const stats = sim.stats();
    const files = [...sim.manifest.files({ activeOnly: true })].length;
    expect(counts).toMatchObject({ filesSeen: files, inspected: 0, skippedUnchanged: files });
    expect(stats.byEndpoint[CONTENT] ?? 0).toBe(0);
    expect(stats.byEndpoint[FILE_COLLABORATIONS] ?? 0).toBe(0);
    const folderPages = stats.byEndpoint['GET /2.0/folders/:id/items'] ?? 0;
    // Users and /users/me, one listing per folder, and the collaborations of collaborated folders.
    expect(stats.total).toBeLessThanOrEqual(folderPages * 2 + 4);
    expect(stats.total / files).toBeLessThan(0.5);
    console.log(`unchanged pass: ${stats.total} Box calls for ${files} files (${folderPages} folder pages)`);
    expect(Object.fromEntries(await openFindings(connectorId))).toEqual(Object.fromEntries(truthFindings()));
  });

  test('an edited, shared or trashed file is rescanned by the priority lane; a pass closes what it missed', async () => {
    const plain = [...sim.manifest.files({ activeOnly: true })].filter(
      (t) =>
        t.extension === 'txt' && expectedPolicies(t).length === 0 && t.collaborators.external.length === 0,
    );
    const [edited, trashed, missed] = [plain[0]!, plain[1]!, plain[2]!];
    sim.control.edit(edited.id, { text: 'Employee record\nSSN: 536-22-8741\n' });
    sim.resetStats();
    const at = new Date().toISOString();
    const first = await run(scan.scanPriorityFiles, {
      connectorId,
      dataCenter: 'US1',
      files: [
        {
          fileId: edited.id,
          ownerId: edited.ownerId,
          kind: 'content',
          eventType: 'FILE.UPLOADED',
          occurredAt: at,
          source: 'webhook',
        },
      ],
    });
    expect(first).toMatchObject({ scanned: 1, deleted: 0 });
    expect(sim.stats().byEndpoint[CONTENT]).toBe(1);
    expect((await openFindings(connectorId)).get(edited.id)).toEqual(['pii-us-ssn']);
    expect((await inventory.get(connectorId, edited.id))?.sha1).toBe(sim.manifest.file(edited.id)?.sha1);

    // Shared openly: no new content, so no download; the exposure findings open.
    sim.control.share(edited.id, { access: 'open' });
    sim.resetStats();
    await run(scan.scanPriorityFiles, {
      connectorId,
      dataCenter: 'US1',
      files: [
        {
          fileId: edited.id,
          kind: 'sharing',
          eventType: 'SHARED_LINK.CREATED',
          occurredAt: at,
          source: 'webhook',
        },
      ],
    });
    expect(sim.stats().byEndpoint[CONTENT] ?? 0).toBe(1); // the sharing changed: the file is judged again
    expect((await openFindings(connectorId)).get(edited.id)).toEqual([
      'exposure-public-link',
      'pii-us-ssn',
      'sensitive-shared-externally',
    ]);

    // Trashed: a delete activity marks it deleted without asking Box; a file trashed silently waits for the pass.
    sim.control.trash(trashed.id);
    sim.control.trash(missed.id);
    sim.control.trash(edited.id);
    const gone = await run(scan.scanPriorityFiles, {
      connectorId,
      dataCenter: 'US1',
      files: [
        { fileId: trashed.id, kind: 'delete', eventType: 'FILE.TRASHED', occurredAt: at, source: 'webhook' },
        { fileId: edited.id, kind: 'content', eventType: 'FILE.UPLOADED', occurredAt: at, source: 'webhook' },
      ],
    });
    expect(gone).toMatchObject({ scanned: 0, deleted: 2 });
    expect(await inventory.get(connectorId, edited.id)).toMatchObject({ inspection_status: 'Deleted' });
    expect((await openFindings(connectorId)).get(edited.id)).toBeUndefined();
    expect((await findings.list(connectorId, { fileId: edited.id, status: 'closed' })).items).toHaveLength(3);

    const counts = await fullPass(scan, connectorId, 3);
    expect(counts.inspected).toBe(0);
    expect(await inventory.get(connectorId, missed.id)).toMatchObject({ inspection_status: 'Deleted' });
    expect((await new ScanWorkRepository(store.db).getPass(connectorId, 3))?.deleted).toBe(1);
    expect(Object.fromEntries(await openFindings(connectorId))).toEqual(Object.fromEntries(truthFindings()));
  });

  test('a priority batch fetches its files several at once (bounded), with the same results; a failure or a cancel fails it', async () => {
    const FILE = 'GET /2.0/files/:id';
    const LATENCY_MS = 200;
    const work = new ScanWorkRepository(store.db);
    // Files known to the inventory, unchanged since the last pass and without collaborations: one Box call
    // each (the metadata), no download, no collaborations.
    const plain = [...sim.manifest.files({ activeOnly: true })].filter(
      (t) => t.collaborators.internal.length === 0 && t.collaborators.external.length === 0,
    );
    expect(plain.length).toBeGreaterThanOrEqual(50);
    const batch = plain.slice(10, 34);
    const trashed = plain[40]!;
    sim.control.trash(trashed.id);
    const at = new Date().toISOString();
    const files = [
      ...batch.map((t) => ({
        fileId: t.id,
        ownerId: t.ownerId,
        kind: 'content' as const,
        eventType: 'FILE.UPLOADED',
        occurredAt: at,
        source: 'webhook' as const,
      })),
      // Gone at Box (404): a delete. A delete activity of a file never stored: nothing to do, no call.
      {
        fileId: trashed.id,
        kind: 'content' as const,
        eventType: 'FILE.UPLOADED',
        occurredAt: at,
        source: 'webhook' as const,
      },
      {
        fileId: '999999999',
        kind: 'delete' as const,
        eventType: 'FILE.DELETED',
        occurredAt: at,
        source: 'webhook' as const,
      },
    ];
    const before = await work.priorityScanned(connectorId);

    // A Box failure other than 404 fails the whole batch and commits nothing.
    sim.control.setFaults({ errorRate: 1, errorStatus: 503 });
    try {
      await expect(
        run(scan.scanPriorityFiles, { connectorId, dataCenter: 'US1', files }),
      ).rejects.toMatchObject({ type: expect.stringMatching(/^Box/) });
    } finally {
      sim.control.setFaults({});
    }
    expect(await work.priorityScanned(connectorId)).toBe(before);
    expect(await inventory.get(connectorId, trashed.id)).toMatchObject({ deleted_at: null });

    // Cancelled on its first heartbeat: no file is started after that, nothing is committed.
    sim.control.setLatency(LATENCY_MS);
    try {
      sim.resetStats();
      const env = new MockActivityEnvironment();
      env.once('heartbeat', () => env.cancel('CANCELLED'));
      await expect(
        env.run<
          Parameters<ScanActivities['scanPriorityFiles']>,
          Awaited<ReturnType<ScanActivities['scanPriorityFiles']>>,
          ScanActivities['scanPriorityFiles']
        >(scan.scanPriorityFiles, { connectorId, dataCenter: 'US1', files }),
      ).rejects.toThrow();
      // Box answers after the latency: the calls that reached it are those started before the cancel.
      await new Promise((r) => setTimeout(r, 2 * LATENCY_MS));
      expect(sim.stats().byEndpoint[FILE] ?? 0).toBeLessThan(batch.length);
      expect(await work.priorityScanned(connectorId)).toBe(before);

      // The whole batch: every file's one metadata call, several at once but never more than the bound
      // (box-sim counts the requests in progress; its latency keeps each one open 200 ms).
      const atOnce = DEFAULT_SCAN_BUDGET.priorityFetchConcurrency;
      sim.resetStats();
      const started = performance.now();
      const result = await run(scan.scanPriorityFiles, { connectorId, dataCenter: 'US1', files });
      const elapsedMs = performance.now() - started;
      const stats = sim.stats();
      expect(result).toMatchObject({ scanned: batch.length, deleted: 1 });
      expect(stats.byEndpoint[FILE]).toBe(batch.length + 1);
      expect(stats.total).toBe(batch.length + 1);
      console.log(
        `priority batch of ${files.length}: ${Math.round(elapsedMs)} ms, ${stats.mostAtOnce} Box calls at once ` +
          `(one by one: at least ${(batch.length + 1) * LATENCY_MS} ms)`,
      );
      expect(stats.mostAtOnce).toBeGreaterThan(atOnce / 2);
      expect(stats.mostAtOnce).toBeLessThanOrEqual(atOnce);
    } finally {
      sim.control.setLatency(0);
    }
    expect(await work.priorityScanned(connectorId)).toBe(before + batch.length);
    expect(await inventory.get(connectorId, trashed.id)).toMatchObject({ inspection_status: 'Deleted' });
    for (const t of batch)
      expect(await inventory.get(connectorId, t.id)).toMatchObject({ sha1: t.sha1, deleted_at: null });
    expect(Object.fromEntries(await openFindings(connectorId))).toEqual(Object.fromEntries(truthFindings()));
  });

  test('a walk cancelled mid-user and resumed from its heartbeat loses and doubles no file', async () => {
    const id = await authorize();
    // Exposure policies only (no downloads: this case is about the walk), seven items a folder page.
    const policyFile = join(mkdtempSync(join(tmpdir(), 'scan-it-')), 'policies.yaml');
    writeFileSync(policyFile, 'version: 1\ntemplates: [exposure-public-link, exposure-external-users]\n');
    const tiny = createScanActivities({
      config: { policies: { file: policyFile } },
      store,
      clients,
      budget: { pageSize: 7, maxPages: 1_000 },
    });
    await run(tiny.startScanPass, { connectorId: id, dataCenter: 'US1', scope: 'allUsers', pass: 1 });
    const users = await run(tiny.nextScanUsers, { connectorId: id, pass: 1, limit: 100, exclude: [] });
    let seen = 0;
    let cancelled = 0;
    for (const userId of users) {
      let details: unknown;
      for (let attempt = 1, done = false; !done; attempt++) {
        const env = new MockActivityEnvironment({ heartbeatDetails: details, attempt });
        let beats = 0;
        env.on('heartbeat', (d: unknown) => {
          details = d;
          // The first attempt is cancelled after its third page: as a worker shutting down would.
          if (attempt === 1 && ++beats === 3) env.cancel('WORKER_SHUTDOWN');
        });
        try {
          const r = await env.run<
            Parameters<ScanActivities['scanUserFolders']>,
            Awaited<ReturnType<ScanActivities['scanUserFolders']>>,
            ScanActivities['scanUserFolders']
          >(tiny.scanUserFolders, {
            connectorId: id,
            dataCenter: 'US1',
            pass: 1,
            userId,
          });
          seen += r.filesSeen;
          done = r.userDone;
        } catch (err) {
          if (attempt !== 1) throw err;
          cancelled++;
        }
      }
    }
    await run(tiny.finishScanPass, {
      connectorId: id,
      pass: 1,
      counts: { filesSeen: seen, inspected: 0, skippedUnchanged: 0, findings: 0 },
    });
    const active = [...sim.manifest.files({ activeOnly: true })];
    expect(cancelled).toBeGreaterThan(0);
    expect(seen).toBe(active.length);
    expect((await new ScanWorkRepository(store.db).getPass(id, 1))?.files_seen).toBe(active.length);
    expect(await inventory.count(id)).toBe(active.length);
    const exposure = new Map(
      [...truthFindings()]
        .map(([file, policies]) => [file, policies.filter((p) => p.startsWith('exposure-'))] as const)
        .filter(([, policies]) => policies.length > 0),
    );
    expect(Object.fromEntries(await openFindings(id))).toEqual(Object.fromEntries(exposure));
  });
  test('walk steps of several users: each ends at its budget, the next goes on, a user not in the pass is skipped', async () => {
    const id = await authorize();
    const policyFile = join(mkdtempSync(join(tmpdir(), 'scan-it-')), 'policies.yaml');
    writeFileSync(policyFile, 'version: 1\ntemplates: [exposure-public-link, exposure-external-users]\n');
    // Seven items a folder page, two pages per user per step: every user needs several steps.
    const tiny = createScanActivities({
      config: { policies: { file: policyFile } },
      store,
      clients,
      budget: { pageSize: 7, maxPages: 2 },
    });
    await run(tiny.startScanPass, { connectorId: id, dataCenter: 'US1', scope: 'allUsers', pass: 1 });
    const users = await run(tiny.nextScanUsers, { connectorId: id, pass: 1, limit: 100, exclude: [] });
    expect(users.length).toBe(6);
    let pending = [...users, 'not-a-user-of-the-pass'];
    let steps = 0;
    let cancelled = 0;
    const skipped: string[] = [];
    let stored: { filesSeen: number; usersDone: number } | undefined;
    while (pending.length > 0) {
      steps++;
      const env = new MockActivityEnvironment();
      let beats = 0;
      // The second step is cancelled after its third page, as a worker shutting down would.
      env.on('heartbeat', () => steps === 2 && ++beats === 3 && env.cancel('WORKER_SHUTDOWN'));
      const input = {
        connectorId: id,
        dataCenter: 'US1' as const,
        pass: 1,
        userIds: pending,
        usersAtOnce: 3,
      };
      try {
        const r = await env.run<
          Parameters<ScanActivities['walkUsers']>,
          Awaited<ReturnType<ScanActivities['walkUsers']>>,
          ScanActivities['walkUsers']
        >(tiny.walkUsers, input);
        expect([...r.done, ...r.unfinished, ...r.skipped.map((x) => x.userId)].sort()).toEqual(
          [...pending].sort(),
        );
        skipped.push(...r.skipped.map((x) => x.userId));
        pending = r.unfinished;
        stored = r.stored;
      } catch (err) {
        if (steps !== 2) throw err;
        cancelled++;
      }
    }
    const active = [...sim.manifest.files({ activeOnly: true })];
    expect(cancelled).toBe(1);
    expect(steps).toBeGreaterThan(3);
    expect(skipped).toEqual(['not-a-user-of-the-pass']);
    // The store's counts, which every step returns, are exact whatever the cancelled step had done.
    expect(stored).toMatchObject({ filesSeen: active.length, usersDone: 6 });
    expect(await inventory.count(id)).toBe(active.length);
    await expect(
      run(tiny.walkUsers, { connectorId: id, dataCenter: 'US1', pass: 1, userIds: users, usersAtOnce: 0 }),
    ).rejects.toThrow('usersAtOnce must be a positive integer');
  });
  test("under Box's per-user rate limit a walk step paces each user, draws no 429, and walks more users at once", async () => {
    const id = await authorize();
    // Box-sim allows each user 3,000 calls a minute from a bucket of 20; the connector paces to 2,700 after
    // a burst of 10 (the bucket absorbs calls that bunch up on their way, as Box's would).
    sim.control.setRateLimit(3000, 20);
    const paced = createScanActivities({
      config: { policies: {} },
      store,
      clients: new BoxClientPool({
        config: simConfig(sim),
        vault,
        rateBudget: new UserRateBudget({ callsPerMinute: 2700, burst: 10 }),
      }),
      limits: { maxTextChars: 4_000_000 },
      budget: { concurrencyTickMs: 250 },
    });
    try {
      await run(paced.startScanPass, { connectorId: id, dataCenter: 'US1', scope: 'allUsers', pass: 1 });
      const users = await run(paced.nextScanUsers, { connectorId: id, pass: 1, limit: 100, exclude: [] });
      sim.resetStats();
      const r = await run(paced.walkUsers, {
        connectorId: id,
        dataCenter: 'US1',
        pass: 1,
        userIds: users,
        usersAtOnce: 1,
      });
      const stats = sim.stats();
      expect(r.done.sort()).toEqual([...users].sort());
      expect(stats.rateLimited).toBe(0);
      // Each user made far more calls than its burst: the budget, not the burst, set the pace...
      for (const u of users) expect(stats.byUser[u]).toBeGreaterThan(50);
      // ...so the step walked more users at once than the one it was asked for.
      expect(r.mostUsersAtOnce).toBeGreaterThan(1);
      await run(paced.finishScanPass, { connectorId: id, pass: 1, counts: r });
      expect(await openFindings(id)).toEqual(truthFindings());
    } finally {
      sim.control.setRateLimit(0);
    }
  });
});
