/** Contract: folders, files and content through box-node-sdk, checked against the ground truth. */
import { createHash } from 'node:crypto';
import type { BoxClient } from 'box-node-sdk';
import { startBoxSim, type BoxSim, type FileTruth } from '../../../box-sim';
import { idOf } from '../../../box-sim/ids';
import { connectAs } from './sdk-session';

const FIELDS = [
  'sha1',
  'size',
  'name',
  'owned_by',
  'shared_link',
  'modified_at',
  'path_collection',
  'extension',
  'file_version',
  'has_collaborations',
  'is_externally_owned',
  'parent',
];

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Walks a user's tree from folder 0, as the scanner does; returns files by ID. */
async function walk(
  client: BoxClient,
): Promise<Map<string, { sha1?: string; size?: number; ownerId?: string; access?: string }>> {
  const files = new Map<string, { sha1?: string; size?: number; ownerId?: string; access?: string }>();
  const queue = ['0'];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const folder = queue.shift()!;
    let marker: string | undefined;
    do {
      const page = await client.folders.getFolderItems(folder, {
        queryParams: { usemarker: true, limit: 1000, fields: FIELDS, ...(marker ? { marker } : {}) },
      });
      for (const item of page.entries ?? []) {
        if (item.type === 'folder') queue.push(item.id);
        else if (item.type === 'file') {
          const f = item as {
            id: string;
            sha1?: string;
            size?: number;
            ownedBy?: { id: string };
            sharedLink?: { access?: string };
          };
          files.set(f.id, {
            sha1: f.sha1,
            size: f.size,
            ownerId: f.ownedBy?.id,
            access: f.sharedLink?.access,
          });
        }
      }
      marker = page.nextMarker ?? undefined;
    } while (marker);
  }
  return files;
}

describe('box-sim folders, files and content through box-node-sdk', () => {
  let sim: BoxSim;
  let admin: BoxClient;
  /** The ground truth at start (computing it hashes every file, so once). */
  let initial: FileTruth[];

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 11, users: 6, files: 300 });
    initial = [...sim.manifest.files()];
    admin = (await connectAs(sim, sim.manifest.admin.login)).client;
  });
  afterAll(async () => {
    await sim.close();
  });

  test('walking every user with As-User finds each file once as its owner, with the manifest sha1 and size', async () => {
    const owned = new Map<string, { sha1?: string; size?: number; access?: string }>();
    for (const user of sim.manifest.users.filter((u) => u.inEnterprise)) {
      const files = await walk(admin.withAsUserHeader(user.id));
      for (const [id, f] of files) if (f.ownerId === user.id) owned.set(id, f);
    }
    const truth = initial;
    expect(owned.size).toBe(truth.length);
    for (const t of truth) {
      expect(owned.get(t.id)).toEqual({
        sha1: t.sha1,
        size: t.size,
        ownerId: t.ownerId,
        access: t.sharedLinkAccess === 'none' ? undefined : t.sharedLinkAccess,
      });
    }
  });

  test('items collaborated with a user appear in the root of that user, owned by someone else', async () => {
    const shared = initial.find((f) => f.collaborators.internal.length > 0)!;
    const collaborator = sim.manifest.users.find((u) => u.login === shared.collaborators.internal[0])!;
    const files = await walk(admin.withAsUserHeader(collaborator.id));
    expect(files.get(shared.id)?.ownerId).toBe(shared.ownerId);
  });

  test('getFileById returns the requested fields; 404 for an unknown file; 404 trashed after trash', async () => {
    const truth = initial.find((f) => f.ownerId === sim.manifest.admin.id)!;
    const file = await admin.files.getFileById(truth.id, { queryParams: { fields: FIELDS } });
    expect(file).toMatchObject({
      id: truth.id,
      name: truth.name,
      sha1: truth.sha1,
      size: truth.size,
      extension: truth.extension,
    });
    expect(file.pathCollection?.entries?.[0]?.id).toBe('0');
    await expect(admin.files.getFileById('1000099999999')).rejects.toMatchObject({
      responseInfo: { statusCode: 404, body: { type: 'error', status: 404, code: 'not_found' } },
    });
    sim.control.trash(truth.id);
    await expect(admin.files.getFileById(truth.id)).rejects.toMatchObject({
      responseInfo: { statusCode: 404, body: { code: 'trashed' } },
    });
    sim.control.restore(truth.id);
    expect((await admin.files.getFileById(truth.id)).id).toBe(truth.id);
  });

  test('a file of another user is 404 without As-User and visible with it', async () => {
    const other = initial.find(
      (f) =>
        f.ownerId !== sim.manifest.admin.id &&
        f.collaborators.internal.every((l) => l !== sim.manifest.admin.login),
    )!;
    await expect(admin.files.getFileById(other.id)).rejects.toMatchObject({
      responseInfo: { statusCode: 404 },
    });
    expect((await admin.withAsUserHeader(other.ownerId).files.getFileById(other.id)).id).toBe(other.id);
  });

  test('downloads follow the 302 and return the bytes whose sha1 the manifest and the API report', async () => {
    for (const ext of ['txt', 'csv', 'docx', 'xlsx', 'pdf', 'json']) {
      const truth = initial.find((f) => f.extension === ext && !f.trashed)!;
      const client = admin.withAsUserHeader(truth.ownerId);
      const bytes = await readAll((await client.downloads.downloadFile(truth.id))!);
      expect(createHash('sha1').update(bytes).digest('hex')).toBe(truth.sha1);
      expect(bytes.length).toBe(truth.size);
      const magic = bytes.subarray(0, 4).toString('latin1');
      if (ext === 'docx' || ext === 'xlsx') expect(magic).toBe('PK\u0003\u0004');
      if (ext === 'pdf') expect(magic).toBe('%PDF');
    }
  });

  test('a Range header gets the requested bytes (206)', async () => {
    const truth = initial.find((f) => f.ownerId === sim.manifest.admin.id && f.size > 300)!;
    const whole = await readAll((await admin.downloads.downloadFile(truth.id))!);
    const part = await readAll(
      (await admin.downloads.downloadFile(truth.id, { headers: { range: 'bytes=100-199' } }))!,
    );
    expect(part.equals(whole.subarray(100, 200))).toBe(true);
  });

  test('getDownloadFileUrl points at a short-lived URL served by the simulator', async () => {
    const truth = initial.find((f) => f.ownerId === sim.manifest.admin.id)!;
    const url = await admin.downloads.getDownloadFileUrl(truth.id);
    expect(url.startsWith(`${sim.baseUrl}/d/1/`)).toBe(true);
    const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(createHash('sha1').update(bytes).digest('hex')).toBe(truth.sha1);
  });

  test('a file that is not ready answers 202: downloadFile returns undefined, a retry gets the bytes', async () => {
    const truth = initial.find((f) => f.ownerId === sim.manifest.admin.id)!;
    sim.control.setFaults({ notReadyRate: 1 });
    expect(await admin.downloads.downloadFile(truth.id)).toBeUndefined();
    sim.control.setFaults({});
    expect(await admin.downloads.downloadFile(truth.id)).toBeDefined();
  });

  test('an edit changes the sha1 the API reports and the bytes downloaded', async () => {
    const truth = initial.find((f) => f.ownerId === sim.manifest.admin.id && f.extension === 'txt')!;
    sim.control.edit(truth.id, { text: 'Card 4111 1111 1111 1111 on file.\n' });
    const file = await admin.files.getFileById(truth.id, { queryParams: { fields: ['sha1', 'size'] } });
    expect(file.sha1).toBe(createHash('sha1').update('Card 4111 1111 1111 1111 on file.\n').digest('hex'));
    expect(sim.manifest.file(truth.id)).toMatchObject({ sha1: file.sha1, planted: null, version: 1 });
    const bytes = await readAll((await admin.downloads.downloadFile(truth.id))!);
    expect(bytes.toString('utf8')).toContain('4111 1111 1111 1111');
  });

  test('collaborations of a file and of a folder are listed as Box lists them (direct ones only)', async () => {
    const truth = initial.find((f) => f.ownerId === sim.manifest.admin.id && !f.trashed)!;
    sim.control.collaborate(truth.id, { email: 'auditor@lawfirm.example', role: 'viewer' });
    const fileCollabs = await admin.listCollaborations.getFileCollaborations(truth.id);
    expect(
      fileCollabs.entries?.map((c) => [
        c.accessibleBy?.type,
        (c.accessibleBy as { login?: string }).login,
        c.role,
      ]),
    ).toContainEqual(['user', 'auditor@lawfirm.example', 'viewer']);
    const ent = sim.enterprise;
    const folder = Array.from({ length: ent.folderCount }, (_, i) => i).find(
      (i) => ent.folderCollaborations(i).length > 0,
    )!;
    const owner = sim.manifest.users[ent.folderOwnerOf(folder)]!;
    const folderCollabs = await admin
      .withAsUserHeader(owner.id)
      .listCollaborations.getFolderCollaborations(idOf('folder', folder));
    expect(folderCollabs.entries?.map((c) => c.id)).toEqual(
      ent.folderCollaborations(folder).map((c) => c.id),
    );
  });

  test('getFolderById returns the root and a folder with their first items', async () => {
    const root = await admin.folders.getFolderById('0');
    expect(root).toMatchObject({ id: '0', type: 'folder', name: 'All Files' });
    const first = root.itemCollection!.entries![0]!;
    const folder = await admin.folders.getFolderById(first.id);
    expect(folder).toMatchObject({ id: first.id, type: 'folder', ownedBy: { id: sim.manifest.admin.id } });
    expect(folder.itemCollection?.totalCount).toBeGreaterThanOrEqual(0);
  });

  test('folder listings page with offsets too, and reject a limit above 1000', async () => {
    const root = await admin.folders.getFolderItems('0', { queryParams: { limit: 2, offset: 0 } });
    expect(root.totalCount).toBeGreaterThan(0);
    expect(root.entries?.length).toBeLessThanOrEqual(2);
    await expect(admin.folders.getFolderItems('0', { queryParams: { limit: 1001 } })).rejects.toMatchObject({
      responseInfo: { statusCode: 400 },
    });
    await expect(admin.folders.getFolderItems('299999999999')).rejects.toMatchObject({
      responseInfo: { statusCode: 404 },
    });
  });

  test('getFolderById honours fields on folder 0 as on any folder', async () => {
    const named = await admin.folders.getFolderById('0', { queryParams: { fields: ['name', 'owned_by'] } });
    expect(named).toMatchObject({
      id: '0',
      type: 'folder',
      name: 'All Files',
      ownedBy: { id: sim.manifest.admin.id },
    });
    expect(named.itemCollection).toBeUndefined();
    expect(named.createdBy).toBeUndefined();
    expect(named.pathCollection).toBeUndefined();
    const withItems = await admin.folders.getFolderById('0', {
      queryParams: { fields: ['item_collection'] },
    });
    expect(withItems.itemCollection?.totalCount).toBeGreaterThan(0);
    expect(withItems.ownedBy).toBeUndefined();
    await expect(
      admin.folders.getFolderById('0', { queryParams: { fields: ['no_such_field'] } }),
    ).rejects.toMatchObject({ responseInfo: { statusCode: 400, body: { code: 'bad_request' } } });
  });

  test("getFolderById pages item_collection with offset and limit, in the same order as the folder's items", async () => {
    const folderId = busiestFolderOf(sim, sim.manifest.admin.id);
    const all = await admin.folders.getFolderItems(folderId, { queryParams: { limit: 1000 } });
    const total = all.totalCount!;
    expect(total).toBeGreaterThan(4);
    const paged: string[] = [];
    for (let offset = 0; offset < total; offset += 3) {
      const folder = await admin.folders.getFolderById(folderId, { queryParams: { offset, limit: 3 } });
      const collection = folder.itemCollection!;
      expect([collection.totalCount, collection.offset, collection.limit]).toEqual([total, offset, 3]);
      paged.push(...collection.entries!.map((e) => e.id));
    }
    expect(paged).toEqual(all.entries!.map((e) => e.id));
    const defaults = (await admin.folders.getFolderById(folderId)).itemCollection!;
    expect([defaults.offset, defaults.limit]).toEqual([0, 100]);
    await expect(
      admin.folders.getFolderById(folderId, { queryParams: { limit: 1001 } }),
    ).rejects.toMatchObject({ responseInfo: { statusCode: 400 } });
  });

  test('getFolderById sorts item_collection by id, name, date and size, ASC or DESC, folders always first', async () => {
    const folderId = busiestFolderOf(sim, sim.manifest.admin.id);
    // Each item's name, modified_at and size, read through the API, to check the order against (the
    // SDK keeps only mini folders in a listing, so folders are read one by one).
    const listed = await admin.folders.getFolderItems(folderId, {
      queryParams: { limit: 1000, fields: ['name', 'modified_at', 'size'] },
    });
    const facts = new Map<string, { type: string; name: string; date: number; size: number }>();
    for (const entry of listed.entries!) {
      const item = (
        entry.type === 'folder'
          ? await admin.folders.getFolderById(entry.id, {
              queryParams: { fields: ['name', 'modified_at', 'size'] },
            })
          : entry
      ) as { id: string; type: string; name?: string; modifiedAt?: unknown; size?: number };
      facts.set(item.id, {
        type: item.type,
        name: item.name!,
        date: dateOf(item.modifiedAt),
        size: item.size!,
      });
    }
    expect(new Set([...facts.values()].map((f) => f.type))).toEqual(new Set(['folder', 'file']));
    const keyOf: Record<'id' | 'name' | 'date' | 'size', (id: string) => bigint | string | number> = {
      id: (id: string) => BigInt(id),
      name: (id: string) => facts.get(id)!.name.toLowerCase(),
      date: (id: string) => facts.get(id)!.date,
      size: (id: string) => facts.get(id)!.size,
    };
    for (const sort of ['id', 'name', 'date', 'size'] as const) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const folder = await admin.folders.getFolderById(folderId, {
          queryParams: { sort, direction, limit: 1000 },
        });
        const collection = folder.itemCollection!;
        const ids = collection.entries!.map((e) => e.id);
        expect(ids).toHaveLength(facts.size);
        const types = ids.map((id) => facts.get(id)!.type);
        expect(types).toEqual([...types].sort((a, b) => (a === b ? 0 : a === 'folder' ? -1 : 1)));
        for (const type of ['folder', 'file']) {
          const keys = ids.filter((id) => facts.get(id)!.type === type).map(keyOf[sort]);
          const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          expect(keys).toEqual(direction === 'ASC' ? sorted : sorted.reverse());
        }
        expect(collection.order?.map((o) => [o.by, o.direction])).toEqual([
          ['type', 'ASC'],
          [sort, direction],
        ]);
      }
    }
    const byName = await admin.folders.getFolderById(folderId, {
      queryParams: { sort: 'name', limit: 1000 },
    });
    const itemsByName = await admin.folders.getFolderItems(folderId, {
      queryParams: { sort: 'name', limit: 1000 },
    });
    expect(byName.itemCollection!.entries!.map((e) => e.id)).toEqual(itemsByName.entries!.map((e) => e.id));
    await expect(
      admin.folders.getFolderById(folderId, { queryParams: { sort: 'color' } }),
    ).rejects.toMatchObject({
      responseInfo: { statusCode: 400, body: { context_info: { errors: [{ name: 'sort' }] } } },
    });
    await expect(
      admin.folders.getFolderById(folderId, { queryParams: { direction: 'UP' } }),
    ).rejects.toMatchObject({ responseInfo: { statusCode: 400 } });
  });
});

/** The admin-owned folder with the most items that has subfolders as well as files. */
function busiestFolderOf(sim: BoxSim, ownerId: string): string {
  const ent = sim.enterprise;
  const owner = sim.manifest.users.find((u) => u.id === ownerId)!;
  let best = -1;
  let bestCount = 0;
  for (let f = 0; f < ent.folderCount; f++) {
    if (ent.users[ent.folderOwnerOf(f)]!.id !== owner.id) continue;
    const folders = ent.subfolders(f).length;
    const files = ent.filesIn(f).length;
    if (folders > 0 && files > 0 && folders + files > bestCount) {
      best = f;
      bestCount = folders + files;
    }
  }
  if (best < 0) throw new Error('the seeded enterprise has no folder with both subfolders and files');
  return idOf('folder', best);
}

/** Epoch ms of an SDK date-time (a string or a DateTime wrapper, depending on the SDK version). */
function dateOf(value: unknown): number {
  if (typeof value === 'string') return Date.parse(value);
  if (value instanceof Date) return value.getTime();
  const inner = (value as { value?: unknown } | undefined)?.value;
  if (inner instanceof Date) return inner.getTime();
  throw new Error(`not a date-time: ${JSON.stringify(value)}`);
}
