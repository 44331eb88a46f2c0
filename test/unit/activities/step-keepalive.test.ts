import { MockActivityEnvironment } from '@temporalio/testing';
import { createScanActivities } from '../../../activities/scan-activities';
import { createWebhookActivities } from '../../../activities/webhook-activities';
import type { BoxClientPool } from '../../../box/box-client-pool';
import { UserRateBudget } from '../../../box/user-rate-budget';
import { openStore, type Store } from '../../../store/database';

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const SLOW_MS = 13_000;

/** A Box whose user lookup and folder listing each take 13 s (a slow Box answering through its retries). */
function slowBox() {
  const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), SLOW_MS));
  const client = {
    users: {
      getUserMe: () => later({ id: 'u1' }),
      getUsers: () =>
        Promise.resolve({ rawData: { entries: [{ id: 'u1', login: 'ann@acme.test', role: 'admin' }] } }),
    },
    folders: { getFolderItems: () => later({ rawData: { entries: [] } }) },
    webhooks: { getWebhooks: () => later({ entries: [] }), deleteWebhookById: () => later(undefined) },
    withAsUserHeader: () => client,
  };
  return {
    get: () => client,
    rateBudget: new UserRateBudget({ callsPerMinute: 0 }),
  } as unknown as BoxClientPool;
}

/** Runs `step` in an activity context with fake timers; returns its result and the gaps between beats. */
async function heartbeatGaps<T>(
  step: () => Promise<T>,
): Promise<{ result: T; gaps: number[]; beats: number }> {
  const env = new MockActivityEnvironment(undefined, { logger: quiet });
  const beats: number[] = [];
  env.on('heartbeat', () => beats.push(Date.now()));
  const started = Date.now();
  let settled = false;
  const done = env.run<[], T, () => Promise<T>>(step).finally(() => (settled = true));
  for (let t = 0; !settled && t < 60_000; t += 500) await jest.advanceTimersByTimeAsync(500);
  const result = await done;
  const times = [started, ...beats];
  return { result, gaps: times.slice(1).map((b, i) => b - times[i]!), beats: beats.length };
}

describe('scan and webhook steps heartbeat at least every 5 s whatever they wait on', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });
  afterEach(async () => {
    jest.useRealTimers();
    await store.close();
  });

  it('startScanPass while Box is slow, then scanUserFolders while a listing is slow', async () => {
    const scan = createScanActivities({ config: { policies: {} }, store, clients: slowBox() });
    const start = await heartbeatGaps(() =>
      scan.startScanPass({ connectorId: 'c1', dataCenter: 'US1', scope: 'allUsers', pass: 1 }),
    );
    expect(start.result.usersTotal).toBe(1);
    expect(start.beats).toBeGreaterThanOrEqual(3);
    expect(Math.max(...start.gaps)).toBeLessThanOrEqual(5_000);

    const walk = await heartbeatGaps(() =>
      scan.scanUserFolders({ connectorId: 'c1', dataCenter: 'US1', pass: 1, userId: 'u1' }),
    );
    expect(walk.result).toMatchObject({ userDone: true, stored: { usersDone: 1, filesSeen: 0 } });
    expect(walk.beats).toBeGreaterThanOrEqual(3);
    expect(Math.max(...walk.gaps)).toBeLessThanOrEqual(5_000);
  });

  it('walkUsers while a listing is slow', async () => {
    const scan = createScanActivities({ config: { policies: {} }, store, clients: slowBox() });
    await heartbeatGaps(() =>
      scan.startScanPass({ connectorId: 'c1', dataCenter: 'US1', scope: 'allUsers', pass: 1 }),
    );
    const walk = await heartbeatGaps(() =>
      scan.walkUsers({ connectorId: 'c1', dataCenter: 'US1', pass: 1, userIds: ['u1'], usersAtOnce: 2 }),
    );
    expect(walk.result).toMatchObject({
      done: ['u1'],
      unfinished: [],
      skipped: [],
      stored: { usersDone: 1 },
    });
    expect(walk.beats).toBeGreaterThanOrEqual(3);
    expect(Math.max(...walk.gaps)).toBeLessThanOrEqual(5_000);
  });

  it('registerWebhooks and removeWebhooks while Box is slow', async () => {
    const hooks = createWebhookActivities({
      config: { api: { publicBaseUrl: 'http://127.0.0.1:3999' } } as never,
      store,
      clients: slowBox(),
    });
    const registered = await heartbeatGaps(() =>
      hooks.registerWebhooks({ connectorId: 'c1', dataCenter: 'US1', scope: 'allUsers' }),
    );
    expect(registered.result).toMatchObject({ users: 1, folders: 0 });
    expect(registered.beats).toBeGreaterThanOrEqual(6);
    expect(Math.max(...registered.gaps)).toBeLessThanOrEqual(5_000);

    const removed = await heartbeatGaps(() => hooks.removeWebhooks({ connectorId: 'c1', dataCenter: 'US1' }));
    expect(removed.result).toEqual({ removed: 0, alreadyGone: 0, keptForOthers: 0 });
  });
});
