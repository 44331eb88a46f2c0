/** Contract: enterprise events (admin_logs, admin_logs_streaming) through box-node-sdk. */
import type { BoxClient } from 'box-node-sdk';
import { dateTimeFromString } from 'box-node-sdk/internal/utils';
import { startBoxSim, type BoxSim, type FileTruth } from '../../../box-sim';
import { connectAs } from './sdk-session';

const DAY = 86_400_000;

describe('box-sim enterprise events through box-node-sdk', () => {
  let sim: BoxSim;
  let admin: BoxClient;
  const now = Date.now();

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 5, users: 8, files: 400, events: 3000, now: () => now });
    admin = (await connectAs(sim, sim.manifest.admin.login)).client;
  });
  afterAll(async () => {
    await sim.close();
  });

  test('admin_logs pages a window in order, without duplicates, exactly as the ground truth says', async () => {
    const after = new Date(now - 7 * DAY);
    const before = new Date(now - 1 * DAY);
    const ids: string[] = [];
    const pageSizes: number[] = [];
    let position: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const events = await admin.events.getEvents({
        streamType: 'admin_logs',
        createdAfter: dateTimeFromString(after.toISOString()),
        createdBefore: dateTimeFromString(before.toISOString()),
        limit: 100,
        ...(position ? { streamPosition: position } : {}),
      });
      const entries = events.entries ?? [];
      if (entries.length === 0) break;
      pageSizes.push(entries.length);
      for (const e of entries) {
        ids.push(e.eventId!);
        const at = e.createdAt!.value.getTime();
        expect(at).toBeGreaterThanOrEqual(Math.floor(after.getTime() / 1000) * 1000);
        expect(at).toBeLessThan(before.getTime());
      }
      expect(typeof events.nextStreamPosition).toBe('string');
      position = String(events.nextStreamPosition);
    }
    const truth = sim.manifest.eventsBetween(after, before);
    expect(ids).toEqual(truth.map((e) => e.eventId));
    expect(new Set(ids).size).toBe(ids.length);
    // Box's pages can be shorter than the limit while more events exist.
    expect(pageSizes.slice(0, -1).some((n) => n < 100)).toBe(true);
  });

  test('events carry the fields connect-box imports', async () => {
    const events = await admin.events.getEvents({ streamType: 'admin_logs', limit: 200 });
    const file = (events.entries ?? []).find(
      (e) => (e.source as { itemType?: string } | undefined)?.itemType === 'file',
    )!;
    expect(file).toMatchObject({ type: 'event', createdBy: { type: 'user' } });
    const source = file.source as {
      itemType?: string;
      itemId?: string;
      itemName?: string;
      parent?: { id: string };
    };
    expect(source.itemType).toBe('file');
    expect(source.itemId).toMatch(/^\d+$/);
    expect(source.parent?.id).toMatch(/^\d+$/);
    const all = await admin.events.getEvents({ streamType: 'admin_logs', limit: 500 });
    const folderEvent = (all.entries ?? []).find(
      (e) => (e.source as { itemType?: string }).itemType === 'folder',
    )!;
    expect(folderEvent.source).toMatchObject({
      itemType: 'folder',
      itemId: expect.stringMatching(/^\d+$/) as unknown,
    });
    const login = (events.entries ?? []).find((e) => e.eventType === 'LOGIN')!;
    expect((login.source as { type?: string }).type).toBe('user');
  });

  test('activity produced through the control API lands in admin_logs after the history', async () => {
    const [first] = sim.manifest.files() as Iterable<FileTruth>;
    const file = first!;
    const result = sim.control.preview(file.id);
    const truth = sim.manifest.eventsBetween(now - 1000, now + 1000);
    expect(truth.map((e) => e.eventId)).toContain(result.events[0]!.id);
    const events = await admin.events.getEvents({
      streamType: 'admin_logs',
      createdAfter: dateTimeFromString(new Date(now - 1000).toISOString()),
      limit: 500,
    });
    const found = (events.entries ?? []).find((e) => e.eventId === result.events[0]!.id);
    expect(found).toMatchObject({ eventType: 'PREVIEW' });
    expect((found!.source as { itemId?: string }).itemId).toBe(file.id);
  });

  test('admin_logs_streaming pages with numeric positions; deduplicated, it yields every recent event', async () => {
    const seen = new Set<string>();
    let total = 0;
    let position: string | undefined = '0';
    for (let page = 0; page < 1000; page++) {
      const events = await admin.events.getEvents({
        streamType: 'admin_logs_streaming',
        limit: 500,
        streamPosition: position,
      });
      const entries = events.entries ?? [];
      expect(typeof events.nextStreamPosition).toBe('number');
      if (entries.length === 0) break;
      for (const e of entries) seen.add(e.eventId!);
      total += entries.length;
      position = String(events.nextStreamPosition);
    }
    expect(seen.size).toBe(sim.manifest.eventCount());
    expect(total).toBeGreaterThanOrEqual(seen.size);
    const latest = await admin.events.getEvents({
      streamType: 'admin_logs_streaming',
      streamPosition: 'now',
    });
    expect(latest.entries).toEqual([]);
    expect(latest.nextStreamPosition).toBe(sim.manifest.eventCount());
  });

  test('a plain user may not read the enterprise event log (403)', async () => {
    const plain = sim.manifest.users.find((u) => u.role === 'user' && u.inEnterprise)!;
    const { client } = await connectAs(sim, plain.login);
    await expect(client.events.getEvents({ streamType: 'admin_logs' })).rejects.toMatchObject({
      responseInfo: { statusCode: 403 },
    });
  });

  test('limit above 500 is refused in strict mode', async () => {
    await expect(admin.events.getEvents({ streamType: 'admin_logs', limit: 501 })).rejects.toMatchObject({
      responseInfo: { statusCode: 400 },
    });
  });
});

describe('box-sim admin_logs_streaming behaves like Box: positions, now, chunk size, retention', () => {
  let sim: BoxSim;
  let admin: BoxClient;
  let clock = Date.now();

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 9, users: 6, files: 200, events: 2000, now: () => clock });
    admin = (await connectAs(sim, sim.manifest.admin.login)).client;
  });
  afterAll(async () => {
    await sim.close();
  });

  const read = (streamPosition: string, limit?: number) =>
    admin.events.getEvents({
      streamType: 'admin_logs_streaming',
      streamPosition,
      ...(limit !== undefined && { limit }),
    });

  /** Reads from `position` until a page brings nothing new; returns the ids in order and the last position. */
  const readToEnd = async (position: string) => {
    const ids: string[] = [];
    for (let page = 0; page < 1000; page++) {
      const events = await read(position, 500);
      const fresh = (events.entries ?? []).map((e) => e.eventId!).filter((id) => !ids.includes(id));
      expect(events.chunkSize).toBe(events.entries?.length);
      position = String(events.nextStreamPosition);
      if (fresh.length === 0) break;
      ids.push(...fresh);
    }
    return { ids, position };
  };

  test('now returns the current position; events after it are read from it, in order, none lost', async () => {
    const now = await read('now');
    expect(now.entries).toEqual([]);
    expect(now.chunkSize).toBe(0);
    const files = [...sim.manifest.files({ activeOnly: true })].slice(0, 3);
    const made = files.map((f) => sim.control.edit(f.id).events[0]!.id);
    const first = await readToEnd(String(now.nextStreamPosition));
    expect(first.ids).toEqual(made);
    // Nothing new: the stream stays at the position it returned.
    const later = sim.control.preview(files[0]!.id).events[0]!.id;
    const second = await readToEnd(first.position);
    expect(second.ids).toEqual([later]);
  });

  test('chunk_size is the number of entries and never above limit', async () => {
    for (const position of ['0', '37', '1200']) {
      const page = await read(position, 50);
      expect(page.chunkSize).toBe(page.entries!.length);
      expect(page.entries!.length).toBeLessThanOrEqual(50);
      expect(page.entries!.length).toBeGreaterThan(0);
    }
  });

  test('a position that is no number is refused (400), and so are created_after / created_before', async () => {
    await expect(read('yesterday')).rejects.toMatchObject({ responseInfo: { statusCode: 400 } });
    await expect(
      admin.events.getEvents({
        streamType: 'admin_logs_streaming',
        createdAfter: dateTimeFromString(new Date(clock - DAY).toISOString()),
      }),
    ).rejects.toMatchObject({ responseInfo: { statusCode: 400 } });
  });

  test('the stream keeps 14 days: once events are older, position 0 and stale positions start after them', async () => {
    const all = sim.manifest.eventsBetween(0, clock + DAY);
    clock += 5 * DAY; // the first ~day of the ten-day history is now older than 14 days
    const kept = sim.manifest.eventsBetween(clock - 14 * DAY, clock + DAY);
    expect(kept.length).toBeLessThan(all.length);
    expect(kept.length).toBeGreaterThan(0);
    const fromZero = await read('0', 500);
    expect(fromZero.entries![0]!.eventId).toBe(kept[0]!.eventId);
    const stale = await read('5', 500);
    expect(stale.entries![0]!.eventId).toBe(kept[0]!.eventId);
    const expired = new Set(all.slice(0, all.length - kept.length).map((e) => e.eventId));
    const { ids } = await readToEnd('0');
    expect(ids.filter((id) => expired.has(id))).toEqual([]);
    expect(ids).toEqual(kept.map((e) => e.eventId));
  });
});
