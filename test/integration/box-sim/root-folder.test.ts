/**
 * Contract: files directly in a user's root folder (`0`), as Box has them. Folder `0` is each user's own
 * root; Box allows no webhook on it, so only the enterprise event stream reports what happens there.
 */
import type { BoxClient } from 'box-node-sdk';
import { startBoxSim, type BoxSim } from '../../../box-sim';
import { connectAs } from './sdk-session';

type Item = { type: string; id: string; owned_by?: { id: string } };

/** Every item of a folder as the client's user sees it (marker paging). */
async function items(client: BoxClient, folderId: string): Promise<Item[]> {
  const out: Item[] = [];
  let marker: string | undefined;
  do {
    const page = await client.folders.getFolderItems(folderId, {
      queryParams: { usemarker: true, limit: 1000, fields: ['owned_by'], ...(marker ? { marker } : {}) },
    });
    // Raw JSON: the SDK's folder mini drops owned_by.
    out.push(...(page.rawData as { entries: Item[] }).entries);
    marker = page.nextMarker ?? undefined;
  } while (marker);
  return out;
}

/** The files a user owns, walking the tree from folder 0 as the scanner does. */
async function ownedFiles(client: BoxClient, userId: string): Promise<string[]> {
  const found: string[] = [];
  const queue = ['0'];
  while (queue.length > 0) {
    for (const item of await items(client, queue.shift()!)) {
      if (item.owned_by?.id !== userId) continue;
      if (item.type === 'folder') queue.push(item.id);
      else if (item.type === 'file') found.push(item.id);
    }
  }
  return found;
}

describe('box-sim files in a root folder (folder 0)', () => {
  let sim: BoxSim;
  let admin: BoxClient;

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 11, users: 6, files: 300, rootFiles: 0.1 });
    admin = (await connectAs(sim, sim.manifest.admin.login)).client;
  });
  afterAll(async () => {
    await sim.close();
  });

  test('rootFiles puts about that share of the files in their owners\u2019 root folders; the default none', async () => {
    const atRoot = [...sim.manifest.files()].filter((f) => f.parentId === '0');
    expect(atRoot.length).toBeGreaterThan(300 * 0.05);
    expect(atRoot.length).toBeLessThan(300 * 0.15);
    for (const f of atRoot) expect(f.path).toBe(`/${f.name}`);
    const plain = await startBoxSim({ seed: 11, users: 6, files: 300 });
    try {
      expect([...plain.manifest.files()].filter((f) => f.parentId === '0')).toEqual([]);
      expect(plain.manifest.fileCount()).toBe(sim.manifest.fileCount());
    } finally {
      await plain.close();
    }
  });

  test("walking each user's tree from folder 0 finds every file once, root files included", async () => {
    const seen: string[] = [];
    for (const user of sim.manifest.users.filter((u) => u.inEnterprise))
      seen.push(...(await ownedFiles(admin.withAsUserHeader(user.id), user.id)));
    expect(seen.sort()).toEqual([...sim.manifest.files({ activeOnly: true })].map((f) => f.id).sort());
  });

  test("a root file is in its owner's folder 0 only, with parent 0 and a path of All Files alone", async () => {
    const file = [...sim.manifest.files()].find((f) => f.parentId === '0')!;
    const owner = admin.withAsUserHeader(file.ownerId);
    expect((await items(owner, '0')).map((i) => i.id)).toContain(file.id);
    const other = sim.manifest.users.find((u) => u.inEnterprise && u.id !== file.ownerId)!;
    expect((await items(admin.withAsUserHeader(other.id), '0')).map((i) => i.id)).not.toContain(file.id);
    const got = await owner.files.getFileById(file.id, {
      queryParams: { fields: ['parent', 'path_collection', 'owned_by'] },
    });
    expect(got.parent).toMatchObject({ type: 'folder', id: '0', name: 'All Files' });
    expect(got.pathCollection?.entries?.map((e) => e.id)).toEqual(['0']);
    expect(got.ownedBy?.id).toBe(file.ownerId);
  });

  test('an edit of a root file logs EDIT in the stream with parent 0 and its owner, and fires no folder webhook', async () => {
    const file = [...sim.manifest.files({ activeOnly: true })].find((f) => f.parentId === '0')!;
    const owner = admin.withAsUserHeader(file.ownerId);
    // A webhook on every folder of the owner's root: none of them covers the root file.
    for (const item of (await items(owner, '0')).filter((i) => i.type === 'folder'))
      await owner.webhooks.createWebhook({
        target: { id: item.id, type: 'folder' },
        address: 'http://127.0.0.1:9/hooks',
        triggers: ['FILE.UPLOADED'],
      });
    await expect(
      owner.webhooks.createWebhook({
        target: { id: '0', type: 'folder' },
        address: 'http://127.0.0.1:9/hooks',
        triggers: ['FILE.UPLOADED'],
      }),
    ).rejects.toMatchObject({ responseInfo: { statusCode: 400 } });
    const now = await admin.events.getEvents({ streamType: 'admin_logs_streaming', streamPosition: 'now' });
    const result = sim.control.edit(file.id);
    expect(result.webhookDeliveries).toBe(0);
    const page = await admin.events.getEvents({
      streamType: 'admin_logs_streaming',
      streamPosition: String(now.nextStreamPosition),
    });
    const edit = (page.rawData as { entries: Array<Record<string, any>> }).entries.find(
      (e) => e.event_id === result.events[0]!.id,
    )!;
    expect(edit).toMatchObject({
      event_type: 'EDIT',
      source: {
        item_type: 'file',
        item_id: file.id,
        parent: { type: 'folder', id: '0', name: 'All Files' },
        owned_by: { id: file.ownerId },
      },
    });
  });

  test('uploads, copies and moves to folder 0 land in the acting user\u2019s root; an upload there needs asUser', () => {
    const user = sim.manifest.users.find((u) => u.inEnterprise && u.role === 'user')!;
    expect(() => sim.control.upload('0', { name: 'x.txt', text: 'x' })).toThrow(/asUser/);
    const uploaded = sim.control.upload('0', { asUser: user.id, name: 'root-note.txt', text: 'hello' });
    expect(sim.manifest.file(uploaded.newFileId!)).toMatchObject({
      parentId: '0',
      ownerId: user.id,
      path: '/root-note.txt',
    });
    const inFolder = [...sim.manifest.files({ activeOnly: true, ownerId: user.id })].find(
      (f) => f.parentId !== '0',
    )!;
    sim.control.move(inFolder.id, { folderId: '0' });
    expect(sim.manifest.file(inFolder.id)).toMatchObject({ parentId: '0', path: `/${inFolder.name}` });
    sim.control.move(inFolder.id, { folderId: inFolder.parentId });
    expect(sim.manifest.file(inFolder.id)!.parentId).toBe(inFolder.parentId);
    const copy = sim.control.copy(inFolder.id, { folderId: '0', asUser: user.id });
    expect(sim.manifest.file(copy.newFileId!)).toMatchObject({ parentId: '0', ownerId: user.id });
  });
});
