import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { eventually } from '../helpers/eventually';
import { scanFiles, type ScanFilesInput } from '../../workflows/scan-files';
import {
  prioritizeSignal,
  progressQuery,
  rescanNowSignal,
  resumeSignal,
  type ScanProgress,
} from '../../workflows/scan-files-messages';
import type { ScanActivities } from '../../workflows/scan-files-activities';
import type { FileEvent } from '../../domain/file-event';
import { stackProbe } from '../../workflows/stack-probe';
import { replayWorkflows } from '../helpers/replay';

const QUEUE = 'scan-files-test';

/**
 * An in-memory enterprise behind the scan activities: each user needs `pagesPerUser` calls, each call
 * sees 10 files. Records every priority scan so tests can check nothing is lost or doubled.
 */
class FakeScan implements ScanActivities {
  users = ['u1', 'u2', 'u3', 'u4', 'u5'];
  pagesPerUser = 3;
  passes: Array<{ pass: number; walked: Record<string, number>; finished: boolean }> = [];
  priorityScanned: string[] = [];
  overflowStore: FileEvent[] = [];
  holdPriority: Promise<void> | undefined;
  holdWalk: Promise<void> | undefined;
  /** When set, only the walk steps of the users it accepts wait for holdWalk. */
  holdWalkOnly: ((userId: string) => boolean) | undefined;
  rejectNextWalk = false;

  private passOf(pass: number) {
    let p = this.passes.find((x) => x.pass === pass);
    if (!p) this.passes.push((p = { pass, walked: {}, finished: false }));
    return p;
  }
  startScanPass({ pass }: { pass: number }) {
    this.passOf(pass);
    return Promise.resolve({ usersTotal: this.users.length, policyVersion: 'v1' });
  }
  nextScanUsers({ pass, limit, exclude }: { pass: number; limit: number; exclude: string[] }) {
    const p = this.passOf(pass);
    return Promise.resolve(
      this.users
        .filter((u) => (p.walked[u] ?? 0) < this.pagesPerUser && !exclude.includes(u))
        .slice(0, limit),
    );
  }
  async scanUserFolders({ pass, userId }: { pass: number; userId: string }) {
    if (!this.holdWalkOnly || this.holdWalkOnly(userId)) await this.holdWalk;
    if (this.rejectNextWalk) {
      this.rejectNextWalk = false;
      throw ApplicationFailure.nonRetryable('Box rejected the refresh token.', 'BoxInvalidRefreshToken');
    }
    const p = this.passOf(pass);
    p.walked[userId] = (p.walked[userId] ?? 0) + 1;
    return {
      filesSeen: 10,
      inspected: pass === 1 ? 10 : 0,
      skippedUnchanged: pass === 1 ? 0 : 10,
      findings: 1,
      userDone: p.walked[userId] >= this.pagesPerUser,
    };
  }
  /** Every walkUsers step as it started (the users it was given). */
  walkSteps: string[][] = [];
  walkStepsInFlight = 0;
  maxWalkStepsInFlight = 0;
  /** Users given to two steps running at once (must stay empty). */
  inTwoSteps: string[] = [];
  private usersInSteps = new Set<string>();
  /** One scanUserFolders call per user, `usersAtOnce` at a time: users needing more pages come back unfinished. */
  async walkUsers({ pass, userIds, usersAtOnce }: { pass: number; userIds: string[]; usersAtOnce: number }) {
    this.walkSteps.push(userIds);
    this.walkStepsInFlight++;
    this.maxWalkStepsInFlight = Math.max(this.maxWalkStepsInFlight, this.walkStepsInFlight);
    for (const u of userIds)
      if (this.usersInSteps.has(u)) this.inTwoSteps.push(u);
      else this.usersInSteps.add(u);
    const done: string[] = [];
    const unfinished: string[] = [];
    const counts = { filesSeen: 0, inspected: 0, skippedUnchanged: 0, findings: 0 };
    const queue = [...userIds];
    const slot = async () => {
      for (let userId = queue.shift(); userId !== undefined; userId = queue.shift()) {
        const r = await this.scanUserFolders({ pass, userId });
        counts.filesSeen += r.filesSeen;
        counts.inspected += r.inspected;
        counts.skippedUnchanged += r.skippedUnchanged;
        counts.findings += r.findings;
        (r.userDone ? done : unfinished).push(userId);
      }
    };
    try {
      await Promise.all(Array.from({ length: usersAtOnce }, slot));
    } finally {
      for (const u of userIds) this.usersInSteps.delete(u);
      this.walkStepsInFlight--;
    }
    const p = this.passOf(pass);
    const usersDone = this.users.filter((u) => (p.walked[u] ?? 0) >= this.pagesPerUser).length;
    return { ...counts, done, unfinished, skipped: [], stored: { ...this.storedOf(pass), usersDone } };
  }
  /** The pass's counts as a store would hold them: every page walked in it. */
  private storedOf(pass: number) {
    const pages = Object.values(this.passOf(pass).walked).reduce((a, b) => a + b, 0);
    return {
      filesSeen: pages * 10,
      inspected: pass === 1 ? pages * 10 : 0,
      skippedUnchanged: pass === 1 ? 0 : pages * 10,
      findings: pages,
    };
  }
  finishScanPass({ pass }: { pass: number }) {
    this.passOf(pass).finished = true;
    return Promise.resolve({ deleted: 0 });
  }
  /** Every priority batch as it started; the batches running now and the most seen at once. */
  priorityBatches: string[][] = [];
  batchesInFlight = 0;
  maxBatchesInFlight = 0;
  /** Files that were in two batches running at once (must stay empty). */
  inTwoBatches: string[] = [];
  /** When set, only the batches it accepts wait for holdPriority. */
  holdOnly: ((ids: string[]) => boolean) | undefined;
  /** The next N priority batches fail as a rejected token would. */
  rejectPriority = 0;
  private filesInFlight = new Set<string>();

  async scanPriorityFiles({ files }: { files: FileEvent[] }) {
    const ids = files.map((f) => f.fileId);
    this.priorityBatches.push(ids);
    this.batchesInFlight++;
    this.maxBatchesInFlight = Math.max(this.maxBatchesInFlight, this.batchesInFlight);
    for (const id of ids)
      if (this.filesInFlight.has(id)) this.inTwoBatches.push(id);
      else this.filesInFlight.add(id);
    try {
      if (!this.holdOnly || this.holdOnly(ids)) await this.holdPriority;
      if (this.rejectPriority > 0) {
        this.rejectPriority--;
        throw ApplicationFailure.nonRetryable('Box rejected the refresh token.', 'BoxInvalidRefreshToken');
      }
      this.priorityScanned.push(...ids);
      return { scanned: files.length, deleted: 0, findings: 0 };
    } finally {
      this.batchesInFlight--;
      for (const id of ids) this.filesInFlight.delete(id);
    }
  }
  storePriorityOverflow({ files }: { files: FileEvent[] }) {
    const fresh = files.filter((f) => !this.overflowStore.some((o) => o.fileId === f.fileId));
    this.overflowStore.push(...fresh);
    return Promise.resolve({ stored: fresh.length });
  }
  takePriorityOverflow({ limit, fileIds }: { limit: number; fileIds?: string[] }) {
    if (!fileIds) return Promise.resolve(this.overflowStore.splice(0, limit));
    const taken = this.overflowStore.filter((f) => fileIds.includes(f.fileId)).slice(0, limit);
    this.overflowStore = this.overflowStore.filter((f) => !taken.includes(f));
    return Promise.resolve(taken);
  }
}

const activity = (fileId: string): FileEvent => ({
  fileId,
  kind: 'content',
  eventType: 'FILE.UPLOADED',
  occurredAt: '2026-11-27T00:00:00Z',
  source: 'webhook',
});

/** The scan's progress once `predicate` holds (fails with the last progress seen). */
function until(handle: WorkflowHandle, predicate: (p: ScanProgress) => boolean): Promise<ScanProgress> {
  return eventually(() => handle.query(progressQuery), {
    what: 'the scan progress to match',
    timeoutMs: 15_000,
    accept: predicate,
  });
}

describe('scanFiles on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let fake: FakeScan;
  let worker: Worker;
  let running: Promise<void>;
  let n = 0;
  const started: WorkflowHandle[] = [];

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  beforeEach(async () => {
    fake = new FakeScan();
    const activities = Object.fromEntries(
      (
        [
          'startScanPass',
          'nextScanUsers',
          'scanUserFolders',
          'walkUsers',
          'finishScanPass',
          'scanPriorityFiles',
          'storePriorityOverflow',
          'takePriorityOverflow',
        ] as const
      ).map((name) => [name, (fake[name] as (...a: unknown[]) => unknown).bind(fake)]),
    );
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: QUEUE,
      workflowBundle: await workflowBundle(),
      activities,
    });
    running = worker.run();
  });
  afterEach(async () => {
    // Workflows of one test must not keep calling the next test's fake.
    for (const h of started.splice(0)) await h.terminate('test over').catch(() => undefined);
    worker.shutdown();
    await running;
  });
  afterAll(() => env?.teardown());

  const start = async (extra: Partial<ScanFilesInput> = {}) => {
    const id = `scan-${++n}`;
    // The parent is any running workflow: tokenRejected is delivered to it (stackProbe ignores it).
    const parent = await env.client.workflow.start(stackProbe, {
      taskQueue: QUEUE,
      workflowId: `${id}-parent`,
    });
    const handle = await env.client.workflow.start(scanFiles, {
      taskQueue: QUEUE,
      workflowId: id,
      args: [
        {
          connectorId: id,
          dataCenter: 'US1',
          scope: 'allUsers',
          rescanIntervalMs: 12 * 3_600_000,
          taskQueues: { main: QUEUE, scan: QUEUE, priority: QUEUE },
          parentWorkflowId: parent.workflowId,
          userConcurrency: 2,
          ...extra,
        },
      ],
    });
    started.push(handle, parent);
    return handle;
  };

  it('walks every user to the end, records the pass, then rescans after the interval', async () => {
    const handle = await start();
    const done = await until(handle, (p) => p.state === 'waiting');
    expect(done).toMatchObject({
      pass: 2,
      usersDone: 5,
      usersTotal: 5,
      filesSeen: 150,
      inspected: 150,
      findings: 15,
    });
    expect(fake.passes[0]).toMatchObject({
      pass: 1,
      finished: true,
      walked: { u1: 3, u2: 3, u3: 3, u4: 3, u5: 3 },
    });
    await env.sleep('12h');
    const second = await until(handle, (p) => p.pass === 3 && p.state === 'waiting');
    expect(second).toMatchObject({ filesSeen: 150, inspected: 0, skippedUnchanged: 150 });
    expect(fake.passes.map((p) => p.finished)).toEqual([true, true]);
  });

  it('walks in steps of several users, none in two steps at once, each unfinished user in the next step', async () => {
    fake.users = Array.from({ length: 12 }, (_, i) => `u${i + 1}`);
    const handle = await start({ userConcurrency: 4 });
    const done = await until(handle, (p) => p.state === 'waiting');
    expect(done).toMatchObject({ pass: 2, usersDone: 12, usersTotal: 12, filesSeen: 360 });
    expect(Object.values(fake.passes[0]!.walked)).toEqual(Array(12).fill(3));
    // Two steps in flight, two users at once each, eight users a step: 12 users x 3 pages in 5 steps
    // (one scanUserFolders a step per user here), not 36 steps of one user.
    expect(fake.walkSteps.length).toBeGreaterThanOrEqual(3);
    expect(fake.walkSteps.every((users) => users.length <= 8)).toBe(true);
    expect(fake.walkSteps.length).toBeLessThanOrEqual(6);
    expect(fake.inTwoSteps).toEqual([]);
    const history = await handle.fetchHistory();
    const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes).length;
    expect(scheduled).toBeLessThanOrEqual(10); // startScanPass, nextScanUsers x <= 3, walkUsers, finishScanPass
    await expectReplays(handle, '2026-12-walk-steps-scan-files');
  });

  it('many users at once: more walk steps in flight, each walking at most 8 users at once', async () => {
    fake.users = Array.from({ length: 60 }, (_, i) => `u${i + 1}`);
    let release: () => void = () => undefined;
    fake.holdWalk = new Promise((r) => (release = r));
    const handle = await start({ userConcurrency: 20 });
    // 20 users at once: 3 steps of 7 users at once, 28 users each, all held until released.
    await eventually(() => fake.maxWalkStepsInFlight, {
      what: '3 walk steps in flight',
      accept: (n) => n === 3,
    });
    release();
    // The three were scheduled together: a worker may start them in any order.
    expect(fake.walkSteps.map((users) => users.length).sort((a, b) => b - a)).toEqual([28, 28, 4]);
    const done = await until(handle, (p) => p.state === 'waiting');
    expect(done).toMatchObject({ usersDone: 60, filesSeen: 1800 });
    expect(fake.maxWalkStepsInFlight).toBe(3);
    expect(fake.inTwoSteps).toEqual([]);
  });

  it('rescanNow starts the next pass without waiting for the interval', async () => {
    const handle = await start();
    await until(handle, (p) => p.state === 'waiting');
    await handle.signal(rescanNowSignal);
    await until(handle, (p) => p.pass === 3);
    expect(fake.passes).toHaveLength(2);
  });

  it('rescanNow during a pass is kept: the next pass starts as soon as the running one ends', async () => {
    let release: () => void = () => undefined;
    fake.holdWalk = new Promise((r) => (release = r));
    const handle = await start();
    await until(handle, (p) => p.state === 'scanning' && p.pass === 1);
    await handle.signal(rescanNowSignal);
    release();
    const after = await until(handle, (p) => p.pass === 3 && p.state === 'waiting');
    expect(fake.passes.map((p) => p.finished)).toEqual([true, true]);
    expect(after).toMatchObject({ usersDone: 5, skippedUnchanged: 150 });
  });

  it('continue-as-new carries the pass, the walk position, the counters and the priority queue', async () => {
    fake.pagesPerUser = 40;
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    const handle = await start({ signalsPerRun: 3 });
    await until(handle, (p) => p.filesSeen >= 100);
    const firstRun = (await handle.describe()).runId;
    await handle.signal(prioritizeSignal, { files: [activity('p0')] }); // taken by the lane, held in flight
    await until(handle, (p) => p.priorityQueued === 0);
    await handle.signal(prioritizeSignal, { files: [activity('p1')] });
    await handle.signal(prioritizeSignal, { files: [activity('p2')] }); // third signal: time to continue as new
    release();
    await eventually(async () => (await handle.describe()).runId, {
      what: 'the scan to continue as new',
      timeoutMs: 10_000,
      accept: (runId) => runId !== firstRun,
    });
    const done = await until(handle, (p) => p.state === 'waiting' && p.priorityScanned === 3);
    // Every page of every user exactly once, across the runs; every priority file once.
    expect(fake.passes[0]!.walked).toEqual({ u1: 40, u2: 40, u3: 40, u4: 40, u5: 40 });
    expect(done.filesSeen).toBe(5 * 40 * 10);
    expect(fake.priorityScanned.sort()).toEqual(['p0', 'p1', 'p2']);
    await expectReplays(handle, '2026-12-priority-batches-continue-as-new-scan-files', firstRun);
  });

  it('before continue-as-new the lane goes on while the walk steps in flight return', async () => {
    fake.pagesPerUser = 40;
    let release: () => void = () => undefined;
    fake.holdWalk = new Promise((r) => (release = r));
    fake.holdWalkOnly = (userId) => userId === 'u2';
    const handle = await start({ signalsPerRun: 2 });
    const firstRun = (await handle.describe()).runId;
    await until(handle, (p) => p.filesSeen >= 100); // u1's pages go on; u2's step is held
    await handle.signal(prioritizeSignal, { files: [activity('d0')] });
    await handle.signal(prioritizeSignal, { files: [activity('d1')] }); // time to continue as new
    await until(handle, (p) => p.priorityScanned === 2);
    // The walk has stopped starting steps and waits for u2's; an edit arriving now is still rescanned.
    await new Promise((r) => setTimeout(r, 500));
    await handle.signal(prioritizeSignal, { files: [activity('d2')] });
    await eventually(() => fake.priorityScanned.includes('d2'), {
      what: 'd2 rescanned while the walk drains',
      timeoutMs: 10_000,
    });
    expect((await handle.describe()).runId).toBe(firstRun);
    release();
    await eventually(async () => (await handle.describe()).runId, {
      what: 'the scan to continue as new',
      timeoutMs: 10_000,
      accept: (runId) => runId !== firstRun,
    });
    await until(handle, (p) => p.state === 'waiting');
    expect(fake.passes[0]!.walked).toEqual({ u1: 40, u2: 40, u3: 40, u4: 40, u5: 40 });
    expect(fake.priorityScanned.sort()).toEqual(['d0', 'd1', 'd2']);
    await expectReplays(handle, '2026-12-hot-by-activity-drain-scan-files', firstRun);
  });

  it('priority files beyond the bounded queue overflow to the store and are all scanned once', async () => {
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    const handle = await start({ priorityQueueLimit: 3 });
    await handle.signal(prioritizeSignal, { files: Array.from({ length: 25 }, (_, i) => activity(`f${i}`)) });
    await handle.signal(prioritizeSignal, { files: [activity('f1'), activity('f24')] }); // duplicates
    await until(handle, (p) => p.priorityQueued > 0);
    release();
    await until(handle, (p) => p.priorityQueued === 0 && p.priorityScanned >= 25);
    const scanned = [...fake.priorityScanned].sort();
    expect(new Set(scanned).size).toBe(25);
    expect(scanned.filter((f) => f === 'f1' || f === 'f24').length).toBeLessThanOrEqual(4);
    expect(fake.overflowStore).toHaveLength(0);
    await expectReplays(handle, '2026-12-priority-batches-overflow-scan-files');
  });

  /**
   * The run's history replays against the workflow code (the lane's batches are concurrent: their order in
   * the history must be what the code decides). RECORD_HISTORIES=1 keeps it as a fixture under `fixture`.
   */
  const expectReplays = async (handle: WorkflowHandle, fixture: string, runId?: string) =>
    expect(await replayWorkflows(env.client, [{ workflowId: handle.workflowId, runId, fixture }])).toEqual(
      [],
    );

  /** Resolves once the fake has `n` priority batches running. */
  const batchesRunning = (n: number) =>
    eventually(() => fake.batchesInFlight, {
      what: `${n} priority batches in flight`,
      timeoutMs: 15_000,
      accept: (running) => running === n,
    });

  it('runs up to priorityBatchesInFlight batches at once, the waiting files shared among the free slots', async () => {
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    const handle = await start({ priorityBatchesInFlight: 3 });
    await handle.signal(prioritizeSignal, { files: Array.from({ length: 30 }, (_, i) => activity(`s${i}`)) });
    await batchesRunning(3);
    // 30 files and 3 free slots: three batches of 10 (not one of 30 with two slots idle).
    expect(fake.priorityBatches.map((b) => b.length)).toEqual([10, 10, 10]);
    await handle.signal(prioritizeSignal, {
      files: Array.from({ length: 200 }, (_, i) => activity(`b${i}`)),
    });
    await until(handle, (p) => p.priorityQueued === 200); // every slot busy: nothing more starts
    expect(fake.maxBatchesInFlight).toBe(3);
    release();
    await until(handle, (p) => p.priorityQueued === 0 && p.priorityScanned === 230);
    // Never more than PRIORITY_BATCH files a batch, never more than 3 at once, every file once.
    expect(Math.max(...fake.priorityBatches.map((b) => b.length))).toBeLessThanOrEqual(50);
    expect(fake.maxBatchesInFlight).toBe(3);
    expect(fake.priorityScanned).toHaveLength(230);
    expect(new Set(fake.priorityScanned).size).toBe(230);
    expect(fake.inTwoBatches).toEqual([]);
  });

  it('a file edited while its batch runs is rescanned after that batch, never in a second one at once', async () => {
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    const handle = await start({ priorityBatchesInFlight: 3 });
    await handle.signal(prioritizeSignal, { files: [activity('a')] });
    await batchesRunning(1);
    await handle.signal(prioritizeSignal, { files: [activity('b')] });
    await batchesRunning(2);
    await handle.signal(prioritizeSignal, { files: [{ ...activity('a'), eventType: 'FILE.PREVIEWED' }] });
    await handle.signal(prioritizeSignal, { files: [activity('c')] });
    await batchesRunning(3);
    // A slot was free when a's new activity came: it waits for a's batch instead of joining c's.
    expect(fake.priorityBatches).toEqual([['a'], ['b'], ['c']]);
    expect((await handle.query(progressQuery)).priorityQueued).toBe(1);
    release();
    await until(handle, (p) => p.priorityQueued === 0 && p.priorityScanned === 4);
    expect(fake.priorityBatches).toEqual([['a'], ['b'], ['c'], ['a']]);
    expect([...fake.priorityScanned].sort()).toEqual(['a', 'a', 'b', 'c']);
    expect(fake.inTwoBatches).toEqual([]);
    await expectReplays(handle, '2026-12-priority-batches-edit-in-flight-scan-files');
  });

  it('hot files take one slot: a file with no event lately goes first while files that keep changing wait', async () => {
    const handle = await start({ priorityBatchesInFlight: 3, recentlyRescannedMs: 30 * 86_400_000 });
    const hot = Array.from({ length: 20 }, (_, i) => activity(`h${i}`));
    await handle.signal(prioritizeSignal, { files: hot });
    await until(handle, (p) => p.priorityScanned === 20); // rescanned just now: they count as recent
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    fake.holdOnly = (ids) => ids.some((id) => id.startsWith('h'));
    await handle.signal(prioritizeSignal, { files: hot }); // the burst of edits again
    await batchesRunning(1); // one of the three slots: the other two stay free for files not edited lately
    await handle.signal(prioritizeSignal, { files: [activity('n1')] });
    await eventually(() => fake.priorityScanned.includes('n1'), {
      what: 'n1 rescanned while the burst is held',
      timeoutMs: 15_000,
    });
    expect(fake.maxBatchesInFlight).toBeLessThanOrEqual(2);
    release();
    await until(handle, (p) => p.priorityQueued === 0 && p.priorityScanned === 41);
    expect(fake.inTwoBatches).toEqual([]);
    await expectReplays(handle, '2026-12-hot-by-activity-slot-scan-files');
  });

  it('a file edited again while it waits stays hot: it never passes for a file with no event lately', async () => {
    // One slot: the order in which waiting files get it is the lane's order.
    const handle = await start({ priorityBatchesInFlight: 1, recentlyRescannedMs: 30 * 86_400_000 });
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    fake.holdOnly = (ids) => ids.includes('w0');
    // w0..w4 arrive fresh and their batch runs; each is edited again meanwhile: hot now.
    const waiting = Array.from({ length: 5 }, (_, i) => activity(`w${i}`));
    await handle.signal(prioritizeSignal, { files: waiting });
    await batchesRunning(1);
    await handle.signal(prioritizeSignal, { files: waiting });
    await handle.signal(prioritizeSignal, { files: [activity('q0')] }); // no event before: fresh
    await until(handle, (p) => p.priorityQueued === 6);
    release();
    await until(handle, (p) => p.priorityQueued === 0 && p.priorityScanned === 11);
    // The freed slot went to q0 first, then to the w files edited again.
    expect(fake.priorityBatches.map((b) => b.join(','))).toEqual(['w0,w1,w2,w3,w4', 'q0', 'w0,w1,w2,w3,w4']);
    expect(fake.inTwoBatches).toEqual([]);
    await expectReplays(handle, '2026-12-hot-by-activity-waiting-scan-files');
  });

  it('a fresh file stored while the queue was full of fresh ones comes back while hot files still wait', async () => {
    const handle = await start({
      priorityBatchesInFlight: 2,
      priorityQueueLimit: 60,
      recentlyRescannedMs: 30 * 86_400_000,
    });
    let releaseK: () => void = () => undefined;
    let releaseF: () => void = () => undefined;
    fake.holdOnly = (ids) => ids.some((id) => id.startsWith('k') || id.startsWith('f'));
    fake.holdPriority = new Promise((r) => (releaseK = r));
    await handle.signal(prioritizeSignal, { files: [activity('k0'), activity('k1')] });
    await batchesRunning(2); // both slots held
    const burst = Array.from({ length: 60 }, (_, i) => activity(`f${i}`));
    await handle.signal(prioritizeSignal, { files: burst }); // the queue full of fresh files
    await handle.signal(prioritizeSignal, { files: [activity('s0')] }); // so s0 goes to the store
    await eventually(() => fake.overflowStore.length === 1, { what: 's0 in the store' });
    await handle.signal(prioritizeSignal, { files: burst }); // the f files again: hot now
    fake.holdPriority = new Promise((r) => (releaseF = r));
    releaseK();
    // One hot batch of 50 holds the hot slot, 10 hot files wait in the queue; s0 takes the free slot.
    await eventually(() => fake.priorityScanned.includes('s0'), {
      what: 's0 rescanned while the hot batch is held',
      timeoutMs: 15_000,
    });
    expect(fake.priorityScanned.filter((id) => id.startsWith('f'))).toEqual([]);
    releaseF();
    await until(handle, (p) => p.priorityQueued === 0 && p.priorityScanned === 63);
    expect(fake.inTwoBatches).toEqual([]);
    await expectReplays(handle, '2026-12-hot-by-activity-fresh-from-store-scan-files');
  });

  it('fresh first: a full queue makes room for a file not rescanned lately (a recent one overflows instead)', async () => {
    // The test server may skip workflow time while the batches are held: recent stays recent here.
    const handle = await start({
      priorityBatchesInFlight: 2,
      priorityQueueLimit: 3,
      recentlyRescannedMs: 30 * 86_400_000,
    });
    const hot = Array.from({ length: 10 }, (_, i) => activity(`h${i}`));
    await handle.signal(prioritizeSignal, { files: hot });
    await until(handle, (p) => p.priorityQueued === 0 && p.priorityScanned === 10); // all recent now
    const firstRound = fake.priorityBatches.length;
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    await handle.signal(prioritizeSignal, { files: [activity('x0')] });
    await batchesRunning(1);
    await handle.signal(prioritizeSignal, { files: hot.slice(0, 3) });
    await batchesRunning(2); // both slots held
    await handle.signal(prioritizeSignal, { files: hot.slice(3) }); // 3 queued, 4 in overflow
    await until(handle, (p) => p.priorityQueued === 7);
    await handle.signal(prioritizeSignal, { files: [activity('y0')] }); // the queue is full of recent files
    await until(handle, (p) => p.priorityQueued === 8);
    release();
    await until(handle, (p) => p.priorityQueued === 0 && p.priorityScanned === 22);
    const later = fake.priorityBatches.slice(firstRound);
    const batchOf = (id: string) => later.findIndex((b) => b.includes(id));
    // y0 goes before every recent file that had to wait in the store, though they all came first (h3 and
    // h4 stayed queued: their batch is taken right after y0's, and the worker may start either first).
    for (const h of hot.slice(5)) expect(batchOf('y0')).toBeLessThan(batchOf(h.fileId));
    expect(batchOf('y0')).toBeLessThan(batchOf('h5')); // the one y0 moved to the overflow
    expect([...fake.priorityScanned].sort()).toEqual(
      [...hot, ...hot, activity('x0'), activity('y0')].map((f) => f.fileId).sort(),
    );
    expect(fake.inTwoBatches).toEqual([]);
    await expectReplays(handle, '2026-12-fresh-first-full-queue-scan-files');
  });

  it('batches in flight that meet a rejected token pause the scan once; after resume every file is scanned', async () => {
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    fake.rejectPriority = 3;
    const handle = await start({ priorityBatchesInFlight: 3 });
    await handle.signal(prioritizeSignal, { files: Array.from({ length: 9 }, (_, i) => activity(`r${i}`)) });
    await batchesRunning(3);
    release();
    await until(handle, (p) => p.state === 'paused');
    expect(fake.priorityScanned).toEqual([]);
    await handle.signal(resumeSignal);
    await until(handle, (p) => p.state !== 'paused' && p.priorityScanned === 9);
    expect([...fake.priorityScanned].sort()).toEqual(Array.from({ length: 9 }, (_, i) => `r${i}`).sort());
    expect(fake.priorityBatches).toHaveLength(6); // each batch once rejected, once scanned
    expect(fake.inTwoBatches).toEqual([]);
    await expectReplays(handle, '2026-12-priority-batches-paused-scan-files');
  });

  it('priorityBatchesInFlight 1 scans one batch at a time; a bad value fails the workflow with a clear error', async () => {
    let release: () => void = () => undefined;
    fake.holdPriority = new Promise((r) => (release = r));
    const handle = await start({ priorityBatchesInFlight: 1 });
    await handle.signal(prioritizeSignal, { files: Array.from({ length: 60 }, (_, i) => activity(`o${i}`)) });
    await batchesRunning(1);
    expect(fake.priorityBatches.map((b) => b.length)).toEqual([50]);
    release();
    await until(handle, (p) => p.priorityScanned === 60);
    expect(fake.priorityBatches.map((b) => b.length)).toEqual([50, 10]);
    expect(fake.maxBatchesInFlight).toBe(1);

    const bad = await start({ priorityBatchesInFlight: 0 });
    await expect(bad.result()).rejects.toMatchObject({
      cause: {
        message: expect.stringContaining('priorityBatchesInFlight must be a positive integer, got 0'),
      },
    });
  });

  it('a rejected token pauses the scan until connectBox resumes it', async () => {
    fake.rejectNextWalk = true;
    const handle = await start();
    await until(handle, (p) => p.state === 'paused');
    await handle.signal(resumeSignal);
    const done = await until(handle, (p) => p.state === 'waiting');
    expect(done.usersDone).toBe(5);
  });
});
