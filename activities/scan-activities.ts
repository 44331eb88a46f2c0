import { setMaxListeners } from 'node:events';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BoxClient } from 'box-node-sdk';
import type { BoxClientPool } from '../box/box-client-pool';
import { userBudgetKey } from '../box/box-connection';
import { urgentBoxCalls } from '../box/user-rate-budget';
import { boxFailure } from '../box/box-failure';
import { describeBoxError } from '../box/box-errors';
import type { Config } from '../config/config';
import { loadPolicySet, type CompiledPolicySet, type InspectionLimits } from '../policies';
import type { Store } from '../store/database';
import { FindingsRepository, type FindingRow } from '../store/findings-repository';
import { GovernanceRepository } from '../store/governance-repository';
import { InventoryRepository } from '../store/inventory-repository';
import { PriorityOverflowRepository } from '../store/priority-overflow-repository';
import { ScanWorkRepository, type PageCounts, type ScanFolderRow } from '../store/scan-work-repository';
import type { FileEvent } from '../domain/file-event';
import type { DataCenter } from '../domain/data-centers';
import { REAUTHORIZATION_FAILURES } from '../domain/box-failures';
import type { ScanActivities, ScanCounts } from '../workflows/scan-files-activities';
import {
  directCollaborators,
  getListedFile,
  listEnterpriseUsers,
  listFolderPage,
  type ListedFile,
} from './scan-box-reader';
import { judgeFile, type FileToJudge, type FileVerdict } from './scan-file-judge';
import { withKeepalive } from './keepalive';
import { countJudged, observeEventToResult, observePassCompleted } from './scan-metrics';
import { walkUsersAtOnce } from '../telemetry/metrics';
import { mapAtOnce } from './at-once';
import { mapAdaptively } from './adaptive-at-once';
import { WalkConcurrency } from './walk-concurrency';
import { actionsForOpenedFindings } from './governance-recording';
import type { GovernanceStarter } from './governance-starter';

/** What the scan activities need. */
export interface ScanDeps {
  config: Pick<Config, 'policies'>;
  store: Store;
  clients: BoxClientPool;
  /** How much one scanUserFolders call does (tests and benchmarks shrink it). */
  budget?: Partial<ScanBudget>;
  limits?: Partial<InspectionLimits>;
  /**
   * Starts the workflows of the governance actions a new finding asks for, right after they were recorded
   * with it; without one (tests), they wait for the worker's sweeper.
   */
  governance?: GovernanceStarter;
}

/** Bounds of one scanUserFolders call, and the work done at once inside a page. */
export interface ScanBudget {
  /** Items per folder page (Box's maximum is 1,000). */
  pageSize: number;
  /** Folder pages per call. */
  maxPages: number;
  /** Milliseconds per call (checked between pages). */
  maxMs: number;
  /** Files of a page downloaded and inspected at once. */
  fileConcurrency: number;
  /** Files of a priority batch whose metadata (file, owner in scope, folders' collaborators) is fetched at once. */
  priorityFetchConcurrency: number;
  /** How often a walk step adapts its users at once to their rate budgets (activities/walk-concurrency.ts). */
  concurrencyTickMs: number;
}

/**
 * 1,000 items a page, 20 pages or 30 s a call, 4 files at once; 8 priority files' metadata at once; users
 * at once adapted every second.
 */
export const DEFAULT_SCAN_BUDGET: ScanBudget = {
  pageSize: 1000,
  maxPages: 20,
  maxMs: 30_000,
  fileConcurrency: 4,
  priorityFetchConcurrency: 8,
  concurrencyTickMs: 1000,
};

/** Pending folders of a user read from the store at once by a walk. */
const PENDING_FOLDERS_READ = 100;

const ZERO: ScanCounts = { filesSeen: 0, inspected: 0, skippedUnchanged: 0, findings: 0 };

// Compiled once per worker process per (policy file, internal domains): regexes are not cheap.
const policySets = new Map<string, Promise<CompiledPolicySet>>();

/**
 * The scan activities over the store and Box. Bulk ones (startScanPass, nextScanUsers, scanUserFolders,
 * finishScanPass, storePriorityOverflow, takePriorityOverflow) belong on the scan task queue,
 * scanPriorityFiles on the priority task queue.
 */
export function createScanActivities(deps: ScanDeps): ScanActivities {
  const budget = { ...DEFAULT_SCAN_BUDGET, ...deps.budget };
  const db = deps.store.db;
  const work = new ScanWorkRepository(db);
  const inventory = new InventoryRepository(db);
  const overflow = new PriorityOverflowRepository(db);
  /** Users at once each connector's walk steps had reached in this process: the next step starts there. */
  const learnedUsersAtOnce = new Map<string, number>();
  /** Runs a step's work heartbeating (every step runs under STEP_HEARTBEAT_TIMEOUT, the short ones too). */
  const keepalive = <T>(work: () => Promise<T>): Promise<T> =>
    withKeepalive(Context.current(), () => ({ keepalive: true }), work);

  const policySetFor = (internalDomains: readonly string[]): Promise<CompiledPolicySet> => {
    const file = deps.config.policies.file;
    const key = JSON.stringify([file ?? null, internalDomains]);
    let set = policySets.get(key);
    if (!set) {
      set = loadPolicySet(file ?? { version: 1 }, { internalDomains });
      set.catch(() => policySets.delete(key));
      policySets.set(key, set);
    }
    return set;
  };

  const passPolicySet = async (connectorId: string, pass?: number) => {
    const row =
      pass === undefined ? await work.latestPass(connectorId) : await work.getPass(connectorId, pass);
    if (!row) return undefined;
    const policySet = await policySetFor(JSON.parse(row.internal_domains_json) as string[]);
    if (policySet.version !== row.policy_version)
      log.warn('the policy set changed during the pass: files are judged with the new one', {
        connectorId,
        pass: row.pass,
      });
    return { row, policySet };
  };

  /** Judges files (bounded concurrency) and stores rows, findings and the page record in one transaction. */
  const judgeAndStore = async (
    connectorId: string,
    files: ReadonlyArray<{ file: FileToJudge; client: BoxClient; refreshCollaborators?: boolean }>,
    walked: boolean,
    policySet: CompiledPolicySet,
    pass: number,
    now: string,
    signal: AbortSignal,
    alsoInTransaction?: (trx: typeof db, counts: PageCounts) => Promise<void>,
  ): Promise<PageCounts> => {
    const existing = await inventory.getMany(
      connectorId,
      files.map((f) => f.file.id),
    );
    const verdicts: FileVerdict[] = await mapAtOnce(
      files,
      budget.fileConcurrency,
      ({ file, client, refreshCollaborators }) =>
        judgeFile(
          {
            connectorId,
            client,
            policySet,
            pass,
            now,
            limits: deps.limits,
            signal,
            refreshCollaborators,
            walked,
          },
          file,
          existing.get(file.id),
        ),
    );
    const inspected = verdicts.filter((v) => v.matches !== undefined);
    const counts: PageCounts = {
      filesSeen: walked
        ? verdicts.filter((v) => existing.get(v.row.file_id)?.walked_pass !== pass).length
        : 0,
      inspected: inspected.length,
      skippedUnchanged: verdicts.length - inspected.length,
      findings: 0,
    };
    let actions: string[] = [];
    const opened: FindingRow[] = [];
    await db.transaction().execute(async (trx) => {
      opened.length = 0; // a retried transaction starts over
      await new InventoryRepository(trx).upsertMany(verdicts.map((v) => v.row));
      // The page's open findings afterwards: the judged files' and those of the files left as they were.
      counts.findings = await new FindingsRepository(trx).sync(
        connectorId,
        inspected.map((v) => ({ fileId: v.row.file_id, matches: v.matches! })),
        now,
        opened,
        verdicts.map((v) => v.row.file_id),
      );
      // The actions of a new finding are recorded with it (outbox): committed together or not at all.
      const rows = new Map(verdicts.map((v) => [v.row.file_id, v.row]));
      actions = await new GovernanceRepository(trx).record(
        actionsForOpenedFindings(connectorId, opened, rows, policySet, now),
        now,
      );
      await alsoInTransaction?.(trx, counts);
    });
    countJudged(walked ? 'scan' : 'priority', counts, opened);
    if (actions.length > 0 && deps.governance)
      // A failed start is the sweeper's to retry: the rows stay unstarted.
      await deps.governance.start(connectorId, actions).catch((err: unknown) => {
        log.warn('governance actions recorded, their start left to the sweeper', {
          connectorId,
          actions: actions.length,
          error: String(err),
        });
      });
    return counts;
  };

  const passPolicySetOrFail = async (connectorId: string, pass: number) => {
    const found = await passPolicySet(connectorId, pass);
    if (!found)
      throw ApplicationFailure.nonRetryable(
        `Scan pass ${pass} of connector ${connectorId} was never started`,
        'ScanPassMissing',
      );
    return found;
  };

  /**
   * Walks the user's pending folders as the user, a page at a time: each page's files judged and stored
   * with the page's record (subfolders queued, marker advanced) in one transaction. `afterPage` says
   * whether to stop there. Returns whether the user's tree is finished.
   */
  const walkUserPages = async (
    at: {
      connectorId: string;
      dataCenter: DataCenter;
      pass: number;
      userId: string;
      policySet: CompiledPolicySet;
      signal: AbortSignal;
    },
    afterPage: (counts: PageCounts) => boolean,
  ): Promise<boolean> => {
    const { connectorId, pass, userId, signal } = at;
    const client = deps.clients.get(connectorId, at.dataCenter).withAsUserHeader(userId);
    // Only this step walks this user, so the pending folders read are still pending until it lists them;
    // the store is read again once they are done (the subfolders they queued come with that read).
    let pending: ScanFolderRow[] = [];
    for (;;) {
      if (pending.length === 0)
        pending = await work.pendingFolders(connectorId, pass, userId, PENDING_FOLDERS_READ);
      const folder = pending[0];
      if (!folder) return work.finishUserIfDone(connectorId, pass, userId, new Date().toISOString());
      const inherited = JSON.parse(folder.collaborators_json) as string[];
      let page;
      const subfolders: Array<{ folderId: string; collaborators: string[] }> = [];
      try {
        page = await listFolderPage(client, folder.folder_id, folder.marker, budget.pageSize, signal);
        // Only the user's own folders are walked: a folder shared with the user is walked as its owner.
        for (const f of page.folders.filter((f) => f.ownerId === userId)) {
          const own = f.hasCollaborations
            ? await directCollaborators(client, { type: 'folder', id: f.id }, signal)
            : [];
          subfolders.push({ folderId: f.id, collaborators: [...new Set([...inherited, ...own])].sort() });
        }
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        throw boxFailure(err);
      }
      const files = page.files
        .filter((f) => f.ownerId === userId)
        .map((f) => ({ file: { ...f, inheritedCollaborators: inherited }, client }));
      const now = new Date().toISOString();
      let counts: PageCounts;
      try {
        counts = await judgeAndStore(connectorId, files, true, at.policySet, pass, now, signal, (trx, c) =>
          new ScanWorkRepository(trx).recordPage({
            connectorId,
            pass,
            userId,
            folderId: folder.folder_id,
            nextMarker: page.nextMarker,
            subfolders,
            counts: c,
            at: now,
          }),
        );
      } catch (err) {
        throw toActivityFailure(err, signal);
      }
      if (page.nextMarker === null) pending.shift();
      else pending[0] = { ...folder, marker: page.nextMarker };
      if (signal.aborted) throw signal.reason;
      if (afterPage(counts))
        return work.finishUserIfDone(connectorId, pass, userId, new Date().toISOString());
    }
  };

  return {
    async startScanPass({ connectorId, dataCenter, scope, pass }) {
      return keepalive(async () => {
        const ctx = Context.current();
        const client = deps.clients.get(connectorId, dataCenter);
        const stored = await work.getPass(connectorId, pass);
        if (stored) return { usersTotal: stored.users_total, policyVersion: stored.policy_version };
        let users;
        let me: string;
        try {
          me = (await client.users.getUserMe({ fields: ['id'] })).id;
          users = await listEnterpriseUsers(client, ctx.cancellationSignal);
        } catch (err) {
          throw boxFailure(err);
        }
        const inScope = users.filter(
          (u) => scope === 'allUsers' || u.id === me || (u.role !== 'admin' && u.role !== 'coadmin'),
        );
        const configured = deps.config.policies.internalDomains?.filter(Boolean) ?? [];
        const internalDomains =
          configured.length > 0
            ? configured
            : [
                ...new Set(users.map((u) => u.login.slice(u.login.lastIndexOf('@') + 1)).filter(Boolean)),
              ].sort();
        const policySet = await policySetFor(internalDomains);
        const row = await work.startPass({
          connectorId,
          pass,
          policyVersion: policySet.version,
          internalDomains,
          users: inScope,
          at: new Date().toISOString(),
        });
        return { usersTotal: row.users_total, policyVersion: row.policy_version };
      });
    },

    async nextScanUsers({ connectorId, pass, limit, exclude }) {
      return keepalive(() => work.nextUsers(connectorId, pass, limit, exclude));
    },

    async scanUserFolders({ connectorId, dataCenter, pass, userId }) {
      const ctx = Context.current();
      const resumed = readCounts(ctx.info.heartbeatDetails);
      const total: ScanCounts & { pages: number } = { ...ZERO, pages: 0, ...resumed };
      // Heartbeats every KEEPALIVE_MS whatever the call waits on (a slow page, a large download, the store),
      // so a dead worker's attempt is timed out by STEP_HEARTBEAT_TIMEOUT, not by the start-to-close timeout.
      return withKeepalive(
        ctx,
        () => ({ ...total }),
        async () => {
          const found = await passPolicySetOrFail(connectorId, pass);
          const user = await work.userOf(connectorId, pass, userId);
          if (!user)
            throw ApplicationFailure.nonRetryable(
              `User ${userId} is not part of scan pass ${pass}`,
              'ScanUserMissing',
            );
          const started = Date.now();
          let pagesThisCall = 0;
          const userDone =
            user.done ||
            (await walkUserPages(
              {
                connectorId,
                dataCenter,
                pass,
                userId,
                policySet: found.policySet,
                signal: ctx.cancellationSignal,
              },
              (counts) => {
                addPage(total, counts);
                pagesThisCall++;
                ctx.heartbeat({ ...total });
                return pagesThisCall >= budget.maxPages || Date.now() - started >= budget.maxMs;
              },
            ));
          return { ...countsOf(total), userDone, stored: await work.runningCounts(connectorId, pass) };
        },
      );
    },

    async walkUsers({ connectorId, dataCenter, pass, userIds, usersAtOnce }) {
      const ctx = Context.current();
      const total: ScanCounts & { pages: number } = { ...ZERO, pages: 0 };
      if (!Number.isInteger(usersAtOnce) || usersAtOnce < 1)
        throw ApplicationFailure.nonRetryable(
          `walkUsers: usersAtOnce must be a positive integer, got ${String(usersAtOnce)}`,
          'InvalidScanInput',
        );
      return withKeepalive(
        ctx,
        () => ({ ...total }),
        async () => {
          const signal = ctx.cancellationSignal;
          // Each file being fetched listens to the step's signal: up to four per user walked at once, which
          // passes node's warning threshold of 10 once more users go at once.
          setMaxListeners(Math.max(10, userIds.length * budget.fileConcurrency * 4), signal);
          const found = await passPolicySetOrFail(connectorId, pass);
          const started = Date.now();
          const outOfTime = () => Date.now() - started >= budget.maxMs;
          const done: string[] = [];
          const unfinished: string[] = [];
          const skipped: Array<{ userId: string; error: string }> = [];
          // Each user walks as itself (Box's rate limits are per user); a user whose slot frees takes the
          // next. Under a rate budget, more users go at once while their budgets hold the walk back.
          const rateBudget = deps.clients.rateBudget;
          const concurrency = new WalkConcurrency({
            floor: usersAtOnce,
            ceiling: userIds.length,
            start: learnedUsersAtOnce.get(connectorId),
            pacePerMs: rateBudget.pacePerMs,
            burst: rateBudget.burstSize,
            callsOf: (userId) => rateBudget.taken(userBudgetKey(connectorId, userId)),
          });
          const ticker = setInterval(
            () => learnedUsersAtOnce.set(connectorId, concurrency.tick()),
            budget.concurrencyTickMs,
          );
          try {
            await mapAdaptively(
              userIds,
              () => concurrency.limit,
              async (userId) => {
                if (outOfTime()) return void unfinished.push(userId);
                const user = await work.userOf(connectorId, pass, userId);
                if (!user) return void skipped.push({ userId, error: `not part of scan pass ${pass}` });
                if (user.done) return void done.push(userId);
                let pages = 0;
                concurrency.started(userId);
                walkUsersAtOnce.inc();
                try {
                  const finished = await walkUserPages(
                    { connectorId, dataCenter, pass, userId, policySet: found.policySet, signal },
                    (counts) => {
                      addPage(total, counts);
                      ctx.heartbeat({ ...total });
                      return ++pages >= budget.maxPages || outOfTime();
                    },
                  );
                  (finished ? done : unfinished).push(userId);
                } catch (err) {
                  const failure = toActivityFailure(err, signal);
                  // A user Box will not let us walk (deleted meanwhile, say) must not stall the others: the next
                  // pass retries. A rejected token, a cancellation or a retryable failure ends the whole step.
                  if (
                    failure instanceof ApplicationFailure &&
                    failure.nonRetryable &&
                    !(REAUTHORIZATION_FAILURES as readonly string[]).includes(failure.type ?? '')
                  )
                    return void skipped.push({ userId, error: failure.message });
                  throw failure;
                } finally {
                  concurrency.ended(userId);
                  walkUsersAtOnce.dec();
                }
              },
              { signal },
            );
          } finally {
            clearInterval(ticker);
          }
          return {
            ...countsOf(total),
            done,
            unfinished,
            skipped,
            stored: await work.runningCounts(connectorId, pass),
            mostUsersAtOnce: concurrency.mostAtOnce,
          };
        },
      );
    },

    async finishScanPass({ connectorId, pass }) {
      return keepalive(async () => {
        const row = await work.getPass(connectorId, pass);
        if (!row)
          throw ApplicationFailure.nonRetryable(
            `Scan pass ${pass} of connector ${connectorId} was never started`,
            'ScanPassMissing',
          );
        if (row.completed_at !== null)
          return {
            deleted: row.deleted,
            counts: {
              filesSeen: row.files_seen,
              inspected: row.inspected,
              skippedUnchanged: row.skipped_unchanged,
              findings: row.findings,
            },
          };
        const at = new Date().toISOString();
        const unseen = await inventory.unseenIn(connectorId, pass);
        const counts = await work.passCounts(connectorId, pass);
        await db.transaction().execute(async (trx) => {
          await new InventoryRepository(trx).markDeleted(connectorId, unseen, at);
          await new FindingsRepository(trx).closeForFiles(connectorId, unseen, at);
          await new ScanWorkRepository(trx).completePass(
            connectorId,
            pass,
            { ...counts, deleted: unseen.length },
            at,
          );
        });
        observePassCompleted(row.started_at, at);
        return { deleted: unseen.length, counts };
      });
    },

    async scanPriorityFiles({ connectorId, dataCenter, files }) {
      const ctx = Context.current();
      let done = 0;
      // Its Box calls go before the walk's calls waiting on the same users' rate budgets.
      return urgentBoxCalls.run(true, () =>
        withKeepalive(
          ctx,
          () => ({ done }),
          async () => {
            const signal = ctx.cancellationSignal;
            const latest = await passPolicySet(connectorId);
            const last = new Map<string, FileEvent>();
            for (const f of files) last.set(f.fileId, f);
            if (!latest) {
              // No pass has started: the first full pass will scan these files; keep nothing waiting on them.
              await overflow.acknowledge(connectorId, [...last.keys()]);
              return { scanned: 0, deleted: 0, findings: 0 };
            }
            const { row: passRow, policySet } = latest;
            const admin = deps.clients.get(connectorId, dataCenter);
            const known = await inventory.getMany(connectorId, [...last.keys()]);
            // Each file's metadata (one to three Box calls) is fetched `priorityFetchConcurrency` files at a
            // time; results keep the batch's order.
            const fetched = await mapAtOnce(
              [...last.values()],
              budget.priorityFetchConcurrency,
              async (activity): Promise<PriorityFetch> => {
                const stored = known.get(activity.fileId);
                try {
                  if (activity.kind === 'delete') return stored ? 'gone' : 'skip';
                  const ownerId = activity.ownerId ?? stored?.owner_id;
                  const client = ownerId ? admin.withAsUserHeader(ownerId) : admin;
                  try {
                    const file = await getListedFile(client, activity.fileId, signal);
                    const inScope =
                      (await work.userOf(connectorId, passRow.pass, file.ownerId)) !== undefined;
                    if (!inScope) return 'skip';
                    const owned = file.ownerId === ownerId ? client : admin.withAsUserHeader(file.ownerId);
                    const inherited = await inheritedCollaborators(owned, file, signal);
                    return {
                      file: { ...file, inheritedCollaborators: inherited },
                      client: owned,
                      refreshCollaborators: true,
                    };
                  } catch (err) {
                    // A file gone at Box (404) is a delete; anything else fails the batch as it should.
                    if (
                      signal.aborted ||
                      err instanceof ApplicationFailure ||
                      describeBoxError(err).kind !== 'NotFound'
                    )
                      throw toActivityFailure(err, signal, boxFailure);
                    return stored ? 'gone' : 'skip';
                  }
                } finally {
                  ctx.heartbeat({ done: ++done });
                }
              },
              signal,
            );
            const gone = [...last.keys()].filter((_, i) => fetched[i] === 'gone');
            const toJudge = fetched.filter((f): f is PriorityFileToJudge => typeof f !== 'string');
            const now = new Date().toISOString();
            let counts: PageCounts;
            try {
              counts = await judgeAndStore(
                connectorId,
                toJudge,
                false,
                policySet,
                passRow.pass,
                now,
                signal,
                async (trx) => {
                  await new InventoryRepository(trx).markDeleted(connectorId, gone, now);
                  await new FindingsRepository(trx).closeForFiles(connectorId, gone, now);
                  await new PriorityOverflowRepository(trx).acknowledge(connectorId, [...last.keys()]);
                  // Counted with the work it counts: what the API shows is what was committed.
                  await new ScanWorkRepository(trx).addPriorityScanned(
                    connectorId,
                    passRow.pass,
                    toJudge.length,
                  );
                },
              );
            } catch (err) {
              throw toActivityFailure(err, signal);
            }
            const stored = new Set([...toJudge.map((f) => f.file.id), ...gone]);
            observeEventToResult(
              [...last.values()].filter((e) => stored.has(e.fileId)),
              Date.now(),
            );
            return {
              scanned: toJudge.length,
              deleted: gone.length,
              findings: counts.findings,
              priorityScanned: await work.priorityScanned(connectorId),
            };
          },
        ),
      );
    },

    async storePriorityOverflow({ connectorId, files }) {
      return keepalive(async () => ({ stored: await overflow.store(connectorId, files) }));
    },

    async takePriorityOverflow({ connectorId, limit, fileIds }) {
      return keepalive(() => overflow.take(connectorId, limit, new Date(), fileIds));
    },
  };
}

/** A priority file ready to judge. */
type PriorityFileToJudge = { file: FileToJudge; client: BoxClient; refreshCollaborators: boolean };

/** What fetching a priority file's metadata decided: judge it, mark it deleted, or leave it (out of scope). */
type PriorityFetch = PriorityFileToJudge | 'gone' | 'skip';

/** Collaborators a file gets from its folders: each ancestor folder's own (only for collaborated files). */
async function inheritedCollaborators(
  client: BoxClient,
  file: ListedFile,
  signal: AbortSignal,
): Promise<string[]> {
  if (!file.hasCollaborations) return [];
  const all = new Set<string>();
  for (const folderId of file.folderIds)
    for (const c of await directCollaborators(client, { type: 'folder', id: folderId }, signal)) all.add(c);
  return [...all].sort();
}

function readCounts(details: unknown): (ScanCounts & { pages: number }) | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as Record<string, unknown>;
  const n = (k: string) => (typeof d[k] === 'number' ? d[k] : 0);
  return {
    filesSeen: n('filesSeen'),
    inspected: n('inspected'),
    skippedUnchanged: n('skippedUnchanged'),
    findings: n('findings'),
    pages: n('pages'),
  };
}

function addPage(total: ScanCounts & { pages: number }, page: PageCounts): void {
  total.filesSeen += page.filesSeen;
  total.inspected += page.inspected;
  total.skippedUnchanged += page.skippedUnchanged;
  total.findings += page.findings;
  total.pages++;
}

function countsOf(c: ScanCounts): ScanCounts {
  return {
    filesSeen: c.filesSeen,
    inspected: c.inspected,
    skippedUnchanged: c.skippedUnchanged,
    findings: c.findings,
  };
}

/**
 * What an activity throws for `err`: the cancellation reason once cancelled, an ApplicationFailure as it
 * is, a Box error as its boxFailure (`unknown` decides what to do with errors Box did not cause: rethrown
 * as they are by default, so a defect keeps its stack).
 */
function toActivityFailure(
  err: unknown,
  signal: AbortSignal,
  unknown: (err: unknown) => unknown = (e) => e,
): unknown {
  if (signal.aborted) return signal.reason;
  if (err instanceof ApplicationFailure) return err;
  return describeBoxError(err).kind !== 'Unknown' ? boxFailure(err) : unknown(err);
}
