import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { REAUTHORIZATION_FAILURES } from '../domain/box-failures';
import type { ScanScope } from '../domain/connector-status';
import { resumingAfterReauthorization, type PauseState } from './child-workflows';
import type { FileEvent } from '../domain/file-event';
import { FileHeat, type FileHeatState } from './file-heat';
import { PriorityQueue } from './priority-queue';
import type { ScanActivities, ScanCounts, StoredPassCounts } from './scan-files-activities';
import {
  prioritizeSignal,
  progressQuery,
  rescanNowSignal,
  resumeSignal,
  type ScanProgress,
} from './scan-files-messages';
import type { DataCenter } from '../domain/data-centers';
import { STEP_HEARTBEAT_TIMEOUT } from './step-timeouts';

/** Input of scanFiles; `carried` only from its own continue-as-new. */
export interface ScanFilesInput {
  connectorId: string;
  dataCenter: DataCenter;
  scope: ScanScope;
  rescanIntervalMs: number;
  taskQueues: { main: string; scan: string; priority: string };
  parentWorkflowId: string;
  /** Users walked at once (default DEFAULT_USER_CONCURRENCY). */
  userConcurrency?: number;
  /** Files the priority lane keeps in state before overflowing to the store (default PRIORITY_QUEUE_LIMIT). */
  priorityQueueLimit?: number;
  /** Signals after which a run continues as new (default SIGNALS_PER_RUN). */
  signalsPerRun?: number;
  /** Priority batches scanned at once (default PRIORITY_BATCHES_IN_FLIGHT; runs before patch priority-batches-in-flight: 1). */
  priorityBatchesInFlight?: number;
  /** How long a file the priority lane rescanned counts as recent (default RECENTLY_RESCANNED_MS). */
  recentlyRescannedMs?: number;
  carried?: ScanCarried;
}

/** The scan's state across continue-as-new: bounded (counters, a bounded queue, a bounded skip list). */
export interface ScanCarried {
  pass: number;
  phase: 'scanning' | 'waiting';
  passStarted: boolean;
  passStartedAt?: string;
  usersTotal: number;
  usersDone: number;
  counts: ScanCounts;
  skippedUsers: string[];
  lastPassCompletedAt?: string;
  nextPassAt?: string;
  priority: ReturnType<PriorityQueue['toJSON']>;
  priorityScanned: number;
  /** The lane's FileHeat (patch priority-hot-by-activity); absent from runs before it. */
  heat?: FileHeatState;
}

/** Users walked at once when the input does not say (Box rate limits are per user). */
export const DEFAULT_USER_CONCURRENCY = 4;
/** Files the priority lane keeps in workflow state before the rest overflows to the store. */
export const PRIORITY_QUEUE_LIMIT = 500;
/** Signals per run after which a run continues as new (Temporal allows 10,000). */
export const SIGNALS_PER_RUN = 2000;
/** Priority batches of one connector scanned at once (the priority worker has 4 slots by default). */
export const PRIORITY_BATCHES_IN_FLIGHT = 3;
const PRIORITY_BATCH = 50;
/** How long a file rescanned by the priority lane counts as recently rescanned (priority-fresh-first). */
export const RECENTLY_RESCANNED_MS = 60_000;
const SKIPPED_USERS_KEPT = 1000;
/** Walk steps in flight at least (patch walk-steps-span-users); userConcurrency is shared among them. */
export const WALK_STEPS = 2;
/** Users one walk step walks at once at most: beyond, more steps are in flight. */
export const WALK_STEP_USERS_AT_ONCE = 8;
/** Users given to a walk step per user it walks at once: a finished user's slot goes to the next. */
const USERS_PER_STEP_PER_SLOT = 4;

/**
 * The scan of every file (ID `connector/<id>/scan`): passes over every in-scope user's tree, then rescans
 * after the interval or on `rescanNow`; files with fresh events go through the priority lane on their own
 * task queue, concurrently with the walk. Workflow state holds counters and a bounded queue only: the walk's
 * folders and cursors, the inventory and the overflow live in the store.
 */
export async function scanFiles(input: ScanFilesInput): Promise<void> {
  const c = input.carried;
  const queue = new PriorityQueue(
    input.priorityQueueLimit ?? PRIORITY_QUEUE_LIMIT,
    c?.priority.queued,
    c?.priority.overflow,
    c?.priority.stored,
  );
  const s: ScanCarried = c ?? {
    pass: 1,
    phase: 'scanning',
    passStarted: false,
    usersTotal: 0,
    usersDone: 0,
    counts: zeroCounts(),
    skippedUsers: [],
    priority: queue.toJSON(),
    priorityScanned: 0,
  };
  let signalsThisRun = 0;
  let rescanRequested = false;
  const pause: PauseState = { paused: false };
  let stopping = false;
  /**
   * Set once the walk's steps in flight have returned, before continue-as-new: under
   * priority-hot-by-activity the lane goes on until then (a walk step can take many seconds, and edits
   * arriving meanwhile must not wait for it).
   */
  let walkDrained = false;
  const userConcurrency = input.userConcurrency ?? DEFAULT_USER_CONCURRENCY;
  const batchesInFlight = input.priorityBatchesInFlight ?? PRIORITY_BATCHES_IN_FLIGHT;
  if (!Number.isInteger(batchesInFlight) || batchesInFlight < 1)
    throw ApplicationFailure.nonRetryable(
      `scanFiles: priorityBatchesInFlight must be a positive integer, got ${String(input.priorityBatchesInFlight)}`,
      'InvalidScanInput',
    );
  const { bulk, priority } = activityProxies(input);

  /**
   * Files the priority lane rescanned in the last RECENTLY_RESCANNED_MS, with when (workflow time), oldest
   * first. Set by the lane under patch priority-fresh-first; a hint for its order only, so it is not carried
   * across continue-as-new.
   */
  const recent = new Map<string, number>();
  let isRecent: ((fileId: string) => boolean) | undefined;
  /** Under patch priority-hot-by-activity: which waiting files are hot (see FileHeat), carried across runs. */
  let heat: FileHeat | undefined;

  setHandler(prioritizeSignal, ({ files }) => {
    signalsThisRun++;
    heat?.arrived(
      files.map((f) => f.fileId),
      Date.now(),
    );
    queue.add(files, isRecent);
  });
  setHandler(rescanNowSignal, () => {
    signalsThisRun++;
    rescanRequested = true;
  });
  setHandler(resumeSignal, () => {
    signalsThisRun++;
    pause.paused = false;
  });
  setHandler(progressQuery, () => progress());

  const progress = (): ScanProgress => {
    const elapsedS = s.passStartedAt ? (Date.now() - Date.parse(s.passStartedAt)) / 1000 : 0;
    return {
      state: pause.paused ? 'paused' : s.phase,
      pass: s.pass,
      usersDone: s.usersDone,
      usersTotal: s.usersTotal,
      ...s.counts,
      priorityQueued: queue.length,
      priorityScanned: s.priorityScanned,
      lastPassCompletedAt: s.lastPassCompletedAt,
      nextPassAt: s.phase === 'waiting' ? s.nextPassAt : undefined,
      filesPerSecond:
        s.phase === 'scanning' && elapsedS > 0
          ? Math.round((s.counts.filesSeen / elapsedS) * 10) / 10
          : undefined,
      message: pause.paused
        ? 'Paused: the connection needs a new authorization.'
        : s.phase === 'scanning'
          ? `Pass ${s.pass}: ${s.usersDone} of ${s.usersTotal} users walked, ${s.counts.filesSeen} files seen.`
          : `Pass ${s.pass - 1} complete; next pass at ${s.nextPassAt ?? 'once requested'}.`,
    };
  };

  /** Runs an activity; a rejected token pauses until connectBox resumes us, then the call is retried. */
  const withToken = <T>(run: () => Promise<T>): Promise<T> =>
    resumingAfterReauthorization(run, pause, input.parentWorkflowId);

  const shouldStop = () =>
    workflowInfo().continueAsNewSuggested || signalsThisRun >= (input.signalsPerRun ?? SIGNALS_PER_RUN);

  /** The lane before patch priority-batches-in-flight: one batch at a time, PRIORITY_BATCH files each. */
  const serialPriorityLane = async () => {
    for (;;) {
      await condition(() => (queue.pending && !pause.paused) || stopping);
      if (stopping) return;
      if (queue.overflow.length > 0) {
        const files = queue.overflow.splice(0, queue.overflow.length);
        queue.stored += (
          await priority.storePriorityOverflow({ connectorId: input.connectorId, files })
        ).stored;
      }
      if (queue.queued.length === 0 && queue.stored > 0) {
        const back = await priority.takePriorityOverflow({
          connectorId: input.connectorId,
          limit: PRIORITY_BATCH,
        });
        queue.stored = back.length === 0 ? 0 : Math.max(0, queue.stored - back.length);
        queue.add(back);
      }
      const batch: FileEvent[] = queue.take(PRIORITY_BATCH);
      if (batch.length === 0) continue;
      try {
        const result = await withToken(() =>
          priority.scanPriorityFiles({
            connectorId: input.connectorId,
            dataCenter: input.dataCenter,
            files: batch,
          }),
        );
        // The store's count when the result has it: rescans whose result was lost are in it too.
        s.priorityScanned = Math.max(s.priorityScanned + result.scanned, result.priorityScanned ?? 0);
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Only a non-retryable failure gets here; the next full pass scans these files anyway.
        log.warn('priority batch failed; left to the next pass', { files: batch.length, error: String(err) });
      }
    }
  };

  /**
   * Up to `batchesInFlight` batches at once, each of at most PRIORITY_BATCH files and smaller when several
   * can start (the files waiting are shared among the free slots). A file being scanned is never taken
   * into a second batch: a newer activity of it keeps its place in the queue until its batch ends, then
   * is rescanned. The overflow steps run between batch starts; on stopping, the lane waits for every
   * batch in flight. The overflow steps are written out as in serialPriorityLane on purpose: moving them
   * into a shared async helper adds an await, which reorders this lane's commands against the walk's in
   * the same activation (2026-12-priority-batches-overflow-scan-files then fails to replay).
   */
  const concurrentPriorityLane = async () => {
    // Fresh first: a file not rescanned in the last minute goes before files that keep changing (a burst of
    // edits of a few files must not delay the first edit of another), one slot of several is kept for such
    // files, and a full queue makes room for them (see PriorityQueue.add).
    const freshFirst = patched('priority-fresh-first');
    // Hot files (events or rescans in the last minute) take one slot at most, and a file is hot by its
    // events too, not only by its rescans: a burst of edits of some files neither holds the lane's every
    // slot nor passes, once its files wait past the minute, for the first edit of another file.
    const byActivity = freshFirst && patched('priority-hot-by-activity');
    if (byActivity)
      heat = new FileHeat(
        input.recentlyRescannedMs ?? RECENTLY_RESCANNED_MS,
        (fileId) => recent.has(fileId),
        c?.heat,
      );
    const hot = heat ? heat.isHot.bind(heat) : (fileId: string) => recent.has(fileId);
    const fresh = (fileId: string) => !hot(fileId);
    if (freshFirst) isRecent = hot;
    const hotSlots = byActivity ? 1 : Math.max(1, batchesInFlight - 1);
    let hotRunning = 0;
    const forget = () => {
      const before = Date.now() - (input.recentlyRescannedMs ?? RECENTLY_RESCANNED_MS);
      for (const [fileId, at] of recent) {
        if (at >= before) break;
        recent.delete(fileId);
      }
    };
    const busy = new Set<string>();
    /** Takes files for a batch; they are no longer waiting as fresh arrivals. */
    const takeFor = (size: number, only: (fileId: string) => boolean) => {
      const taken = queue.takeExcept(size, busy, only);
      heat?.taken(taken.map((f) => f.fileId));
      return taken;
    };
    const running = new Set<Promise<void>>();
    let cancelled: { err: unknown } | undefined;
    const runBatch = async (batch: FileEvent[], hotBatch: boolean) => {
      try {
        const result = await withToken(() =>
          priority.scanPriorityFiles({
            connectorId: input.connectorId,
            dataCenter: input.dataCenter,
            files: batch,
          }),
        );
        // The store's count is exact whatever order concurrent batches answer in; without it (results of
        // older workers), add this batch's.
        s.priorityScanned =
          result.priorityScanned === undefined
            ? s.priorityScanned + result.scanned
            : Math.max(s.priorityScanned, result.priorityScanned);
      } catch (err) {
        if (isCancellation(err)) cancelled ??= { err };
        // Only a non-retryable failure gets here; the next full pass scans these files anyway.
        else
          log.warn('priority batch failed; left to the next pass', {
            files: batch.length,
            error: String(err),
          });
      } finally {
        const now = Date.now();
        for (const f of batch) {
          busy.delete(f.fileId);
          if (freshFirst) {
            recent.delete(f.fileId); // re-inserted last: the map stays in time order
            recent.set(f.fileId, now);
          }
        }
        if (hotBatch) hotRunning--;
      }
    };
    const startable = () =>
      queue.countExcept(busy, fresh) > 0 || (hotRunning < hotSlots && queue.countExcept(busy, hot) > 0);
    /** Fresh first: a batch of fresh files when any wait, else of hot ones while a hot slot is free. */
    const nextFreshFirstBatch = (): { batch: FileEvent[]; hotBatch: boolean } | undefined => {
      forget();
      const waitingFresh = queue.countExcept(busy, fresh);
      const waitingHot = hotRunning < hotSlots ? queue.countExcept(busy, hot) : 0;
      if (waitingFresh > 0) {
        const size = Math.min(PRIORITY_BATCH, Math.ceil(waitingFresh / (batchesInFlight - running.size)));
        return { batch: takeFor(size, fresh), hotBatch: false };
      }
      if (waitingHot === 0) return undefined;
      const free = Math.min(batchesInFlight - running.size, hotSlots - hotRunning);
      hotRunning++;
      return { batch: takeFor(Math.min(PRIORITY_BATCH, Math.ceil(waitingHot / free)), hot), hotBatch: true };
    };
    const startBatch = (batch: FileEvent[], hotBatch: boolean) => {
      for (const f of batch) busy.add(f.fileId);
      const run: Promise<void> = runBatch(batch, hotBatch).finally(() => running.delete(run));
      running.add(run);
    };
    /** Fresh files waiting neither in the queue nor in the overflow nor in a batch: in the store (50 at most). */
    const freshInStore = (): string[] => {
      if (!heat || queue.stored === 0) return [];
      const here = new Set([...queue.queued, ...queue.overflow].map((f) => f.fileId));
      const found: string[] = [];
      for (const fileId of heat.freshFiles()) {
        if (!here.has(fileId) && !busy.has(fileId)) found.push(fileId);
        if (found.length === PRIORITY_BATCH) break;
      }
      return found;
    };
    /**
     * The store's files come back when nothing queued can start, and its fresh ones as soon as a slot is
     * free and no fresh file is queued (the loop below and its condition use this one test).
     */
    const takeBackWanted = () =>
      queue.stored > 0 &&
      running.size < batchesInFlight &&
      (queue.countExcept(busy) === 0 || (queue.countExcept(busy, fresh) === 0 && freshInStore().length > 0));
    if (byActivity) {
      // Batches go before the overflow's store steps, which run beside them one at a time: a file that
      // arrives while the overflow is being stored starts at once, not after the store's round trip.
      let storing: Promise<void> | undefined;
      for (;;) {
        await condition(
          () =>
            cancelled !== undefined ||
            (stopping && walkDrained) ||
            (!pause.paused &&
              ((running.size < batchesInFlight && startable()) ||
                (storing === undefined && queue.overflow.length > 0) ||
                (storing === undefined && takeBackWanted()))),
        );
        if (cancelled || (stopping && walkDrained)) break;
        if (running.size < batchesInFlight && startable()) {
          const next = nextFreshFirstBatch();
          if (next) startBatch(next.batch, next.hotBatch);
          continue;
        }
        if (storing === undefined && queue.overflow.length > 0) {
          const files = queue.overflow.splice(0, queue.overflow.length);
          storing = priority
            .storePriorityOverflow({ connectorId: input.connectorId, files })
            .then(
              ({ stored }) => void (queue.stored += stored),
              (err: unknown) => void (cancelled ??= { err }),
            )
            .finally(() => (storing = undefined));
          continue;
        }
        // A fresh file that found the queue full of fresh ones waits in the store: it comes back as soon
        // as a slot is free and no fresh file is queued, before the store's hot files (which come back
        // only when nothing queued can start).
        if (storing === undefined && takeBackWanted()) {
          const fromStore = queue.countExcept(busy) === 0 ? [] : freshInStore();
          const back = await priority.takePriorityOverflow({
            connectorId: input.connectorId,
            limit: PRIORITY_BATCH,
            ...(fromStore.length > 0 && { fileIds: fromStore }),
          });
          if (fromStore.length === 0 || back.length > 0)
            queue.stored = back.length === 0 ? 0 : Math.max(0, queue.stored - back.length);
          queue.add(back, isRecent); // they keep their heat: a fresh file stored stays fresh
          // Asked for but not in the store (or an older worker that took the oldest): no longer looked for.
          const returned = new Set(back.map((f) => f.fileId));
          heat?.taken(fromStore.filter((id) => !returned.has(id)));
        }
      }
      await storing;
      await Promise.all(running);
      if (cancelled) throw cancelled.err;
      return;
    }
    const hasWork = freshFirst
      ? () => queue.overflow.length > 0 || (queue.stored > 0 && queue.countExcept(busy) === 0) || startable()
      : () => queue.overflow.length > 0 || queue.stored > 0 || queue.countExcept(busy) > 0;
    for (;;) {
      await condition(
        () =>
          cancelled !== undefined ||
          stopping ||
          (!pause.paused && running.size < batchesInFlight && hasWork()),
      );
      if (cancelled || stopping) break;
      if (queue.overflow.length > 0) {
        const files = queue.overflow.splice(0, queue.overflow.length);
        queue.stored += (
          await priority.storePriorityOverflow({ connectorId: input.connectorId, files })
        ).stored;
      }
      if (queue.countExcept(busy) === 0 && queue.stored > 0) {
        const back = await priority.takePriorityOverflow({
          connectorId: input.connectorId,
          limit: PRIORITY_BATCH,
        });
        queue.stored = back.length === 0 ? 0 : Math.max(0, queue.stored - back.length);
        queue.add(back, isRecent);
      }
      if (cancelled || stopping) continue;
      let batch: FileEvent[];
      let hotBatch = false;
      if (freshFirst) {
        const next = nextFreshFirstBatch();
        if (!next) continue;
        ({ batch, hotBatch } = next);
      } else {
        const waiting = queue.countExcept(busy);
        if (waiting === 0) continue;
        const size = Math.min(PRIORITY_BATCH, Math.ceil(waiting / (batchesInFlight - running.size)));
        batch = queue.takeExcept(size, busy);
      }
      startBatch(batch, hotBatch);
    }
    await Promise.all(running);
    if (cancelled) throw cancelled.err;
  };

  const priorityLane = () =>
    patched('priority-batches-in-flight') ? concurrentPriorityLane() : serialPriorityLane();

  const walkUser = async (userId: string) => {
    while (!stopping) {
      let result: Awaited<ReturnType<ScanActivities['scanUserFolders']>>;
      try {
        result = await withToken(() =>
          bulk.scanUserFolders({
            connectorId: input.connectorId,
            dataCenter: input.dataCenter,
            pass: s.pass,
            userId,
          }),
        );
      } catch (err) {
        if (isCancellation(err)) throw err;
        // A user Box will not let us walk (deleted meanwhile, say) must not stall the pass: next pass retries.
        log.warn('user skipped in this pass', { userId, error: String(err) });
        if (s.skippedUsers.length < SKIPPED_USERS_KEPT) s.skippedUsers.push(userId);
        return;
      }
      if (result.stored) {
        // The store's figures: exact even when an earlier step committed its pages and its result was lost.
        takeStored(s, result.stored);
        if (result.userDone) return;
      } else {
        addCounts(s.counts, result);
        if (result.userDone) {
          s.usersDone++;
          return;
        }
      }
    }
  };

  /** Starts the pass in the store (called where the pass has not started yet). */
  const startPass = async () => {
    const started = await withToken(() =>
      bulk.startScanPass({
        connectorId: input.connectorId,
        dataCenter: input.dataCenter,
        scope: input.scope,
        pass: s.pass,
      }),
    );
    Object.assign(s, {
      passStarted: true,
      passStartedAt: new Date().toISOString(),
      usersTotal: started.usersTotal,
      usersDone: 0,
      counts: zeroCounts(),
      skippedUsers: [],
    });
  };

  const walk = async () => {
    if (!s.passStarted) await startPass();
    const walking = new Map<string, Promise<void>>();
    for (;;) {
      if (shouldStop()) stopping = true;
      if (!stopping && walking.size < userConcurrency) {
        const next = await bulk.nextScanUsers({
          connectorId: input.connectorId,
          pass: s.pass,
          limit: userConcurrency - walking.size,
          exclude: [...walking.keys(), ...s.skippedUsers],
        });
        for (const userId of next)
          walking.set(
            userId,
            walkUser(userId).finally(() => walking.delete(userId)),
          );
      }
      if (walking.size === 0) return !stopping;
      await Promise.race(walking.values());
    }
  };

  /**
   * The walk under patch walk-steps-span-users: each step walks several users (walkUsers), WALK_STEPS of
   * them in flight (more for more than 16 users at once: up to 8 users at once a step), so a workflow task and three history events stand for many users instead of one page
   * run of one user. The users a step did not finish go first into the next step; the store is asked for
   * more only when fewer than a step's worth are in hand. Returns whether the pass's walk is complete.
   */
  const walkInSteps = async (): Promise<boolean> => {
    if (!s.passStarted) await startPass();
    // At least WALK_STEPS steps, more when many users walk at once, so the walk spreads over the scan
    // workers' slots instead of a few steps holding hundreds of users each.
    const steps = Math.min(
      userConcurrency,
      Math.max(WALK_STEPS, Math.ceil(userConcurrency / WALK_STEP_USERS_AT_ONCE)),
    );
    const usersAtOnce = Math.ceil(userConcurrency / steps);
    const usersPerStep = usersAtOnce * USERS_PER_STEP_PER_SLOT;
    /** Users of the pass not finished and in no step running, those a step left unfinished first. */
    const inHand: string[] = [];
    const inSteps = new Set<string>();
    let storeMayHaveMore = true;
    const running = new Set<Promise<void>>();
    const runStep = async (userIds: string[]) => {
      try {
        const result = await withToken(() =>
          bulk.walkUsers({
            connectorId: input.connectorId,
            dataCenter: input.dataCenter,
            pass: s.pass,
            userIds,
            usersAtOnce,
          }),
        );
        takeStored(s, result.stored);
        for (const { userId, error } of result.skipped) {
          log.warn('user skipped in this pass', { userId, error });
          if (s.skippedUsers.length < SKIPPED_USERS_KEPT) s.skippedUsers.push(userId);
        }
        inHand.unshift(...result.unfinished);
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Only a non-retryable failure of the whole step gets here: its users wait for the next pass.
        log.warn('users skipped in this pass', { users: userIds.length, error: String(err) });
        for (const userId of userIds)
          if (s.skippedUsers.length < SKIPPED_USERS_KEPT) s.skippedUsers.push(userId);
      } finally {
        for (const userId of userIds) inSteps.delete(userId);
      }
    };
    for (;;) {
      if (shouldStop()) stopping = true;
      while (!stopping && running.size < steps) {
        if (inHand.length < usersPerStep && storeMayHaveMore) {
          const limit = usersPerStep * steps;
          const next = await bulk.nextScanUsers({
            connectorId: input.connectorId,
            pass: s.pass,
            limit,
            exclude: [...inSteps, ...inHand, ...s.skippedUsers],
          });
          storeMayHaveMore = next.length === limit;
          inHand.push(...next);
        }
        if (inHand.length === 0) break;
        const userIds = inHand.splice(0, usersPerStep);
        for (const userId of userIds) inSteps.add(userId);
        const run: Promise<void> = runStep(userIds).finally(() => running.delete(run));
        running.add(run);
      }
      if (running.size === 0) return !stopping;
      await Promise.race(running);
    }
  };

  const lane = priorityLane();
  // The lane only rejects on cancellation, which the main loop sees too: do not fail the task twice.
  lane.catch(() => undefined);
  for (;;) {
    setCurrentDetails(progress().message);
    if (s.phase === 'scanning') {
      const complete = patched('walk-steps-span-users') ? await walkInSteps() : await walk();
      if (!complete) break;
      const finished = await bulk.finishScanPass({
        connectorId: input.connectorId,
        pass: s.pass,
        counts: s.counts,
      });
      if (finished.counts) s.counts = finished.counts;
      const now = Date.now();
      Object.assign(s, {
        phase: 'waiting',
        passStarted: false,
        pass: s.pass + 1,
        lastPassCompletedAt: new Date(now).toISOString(),
        nextPassAt: new Date(now + input.rescanIntervalMs).toISOString(),
      });
      // A rescan asked for during the pass gets a pass of its own right after (policies may have changed
      // since the walk began); before this patch the finished pass swallowed it.
      if (!patched('rescan-request-outlives-pass')) rescanRequested = false;
    }
    const waitMs = Math.max(0, Date.parse(s.nextPassAt ?? new Date().toISOString()) - Date.now());
    const woke = await condition(() => rescanRequested || shouldStop(), waitMs);
    if (!woke || rescanRequested) {
      Object.assign(s, { phase: 'scanning', nextPassAt: undefined });
      rescanRequested = false;
      continue;
    }
    break; // continue-as-new requested
  }
  stopping = true;
  walkDrained = true;
  await lane;
  await condition(allHandlersFinished);
  await continueAsNew<typeof scanFiles>({
    ...input,
    carried: { ...s, priority: queue.toJSON(), ...(heat && { heat: heat.toJSON() }) },
  });
}

function activityProxies(input: ScanFilesInput) {
  const retry = { maximumInterval: '5m', nonRetryableErrorTypes: [...REAUTHORIZATION_FAILURES] };
  return {
    bulk: proxyActivities<ScanActivities>({
      taskQueue: input.taskQueues.scan,
      startToCloseTimeout: '15m',
      heartbeatTimeout: STEP_HEARTBEAT_TIMEOUT,
      retry,
    }),
    priority: proxyActivities<ScanActivities>({
      taskQueue: input.taskQueues.priority,
      startToCloseTimeout: '5m',
      heartbeatTimeout: STEP_HEARTBEAT_TIMEOUT,
      retry,
    }),
  };
}

function zeroCounts(): ScanCounts {
  return { filesSeen: 0, inspected: 0, skippedUnchanged: 0, findings: 0 };
}

function addCounts(into: ScanCounts, more: ScanCounts): void {
  into.filesSeen += more.filesSeen;
  into.inspected += more.inspected;
  into.skippedUnchanged += more.skippedUnchanged;
  into.findings += more.findings;
}

/** Counts only grow within a pass, and concurrent steps answer out of order: keep the highest of each. */
function takeStored(s: ScanCarried, stored: StoredPassCounts): void {
  s.usersDone = Math.max(s.usersDone, stored.usersDone);
  s.counts = {
    filesSeen: Math.max(s.counts.filesSeen, stored.filesSeen),
    inspected: Math.max(s.counts.inspected, stored.inspected),
    skippedUnchanged: Math.max(s.counts.skippedUnchanged, stored.skippedUnchanged),
    findings: Math.max(s.counts.findings, stored.findings),
  };
}
