/**
 * Contract: the endpoints that change items (shared links, collaborations, folders, uploads, moves,
 * trash and restore) through box-node-sdk, with Box's As-User and role rules, the admin events they log,
 * the webhooks they fire and the ground truth they update.
 */
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { BoxClient } from 'box-node-sdk';
import { dateTimeFromString } from 'box-node-sdk/internal/utils';
import { startBoxSim, type BoxSim, type FileTruth, type UserTruth } from '../../../box-sim';
import { eventually } from '../../helpers/eventually';
import { connectAs } from './sdk-session';
import { startReceiver, type Receiver } from './webhook-receiver';

type Payload = { trigger: string; source: { id: string; type: string; item?: { id: string } | null } };
type Raw = Record<string, unknown>;

const ALL_TRIGGERS = [
  'SHARED_LINK.CREATED',
  'SHARED_LINK.UPDATED',
  'SHARED_LINK.DELETED',
  'COLLABORATION.CREATED',
  'COLLABORATION.REMOVED',
  'FILE.MOVED',
  'FILE.TRASHED',
  'FILE.RESTORED',
  'FILE.UPLOADED',
  'FILE.RENAMED',
  'FOLDER.CREATED',
];

function boxError(err: unknown): { status: number; body: Raw } {
  const e = err as { responseInfo?: { statusCode?: number; body?: Raw } };
  if (!e.responseInfo) throw err;
  return { status: e.responseInfo.statusCode ?? 0, body: e.responseInfo.body ?? {} };
}

async function refused(promise: Promise<unknown>): Promise<{ status: number; body: Raw }> {
  try {
    await promise;
  } catch (err) {
    return boxError(err);
  }
  throw new Error('the call succeeded; a Box error was expected');
}

describe('box-sim item changes through box-node-sdk', () => {
  let sim: BoxSim;
  let receiver: Receiver;
  let admin: BoxClient;
  let coadminClient: BoxClient;
  let plainClient: BoxClient;
  let owner: UserTruth;
  let other: UserTruth;
  let coadmin: UserTruth;
  /** Admin As-User the owner. */
  let asOwner: BoxClient;
  /** Admin As-User another plain user. */
  let asOther: BoxClient;
  let file: FileTruth;
  /** Another folder of the owner's (the move target). */
  let otherFolderId: string;
  let streamPosition: string;

  /** Admin events logged since the last call, about an item. */
  async function newEvents(itemId: string): Promise<Array<{ type: string; raw: Raw }>> {
    const page = await admin.events.getEvents({
      streamType: 'admin_logs_streaming',
      streamPosition,
      limit: 500,
    });
    streamPosition = String(page.nextStreamPosition);
    const entries = ((page.rawData as Raw).entries as Raw[] | undefined) ?? [];
    return entries
      .filter((e) => (e.source as Raw | undefined)?.item_id === itemId)
      .map((e) => ({ type: String(e.event_type), raw: e }));
  }

  async function delivered(trigger: string, sourceId: string): Promise<Payload> {
    return eventually(
      () =>
        receiver.received
          .map((r) => JSON.parse(r.body) as Payload)
          .find((p) => p.trigger === trigger && (p.source.id === sourceId || p.source.item?.id === sourceId)),
      { what: `${trigger} for ${sourceId}`, timeoutMs: 5000, intervalMs: 10, accept: (p) => p !== undefined },
    ) as Promise<Payload>;
  }

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 21, users: 12, files: 400 });
    receiver = await startReceiver();
    admin = (await connectAs(sim, sim.manifest.admin.login)).client;
    coadmin = sim.manifest.coadmins[0]!;
    coadminClient = (await connectAs(sim, coadmin.login)).client;
    const plain = sim.manifest.users.filter((u) => u.role === 'user' && u.inEnterprise);
    const files = [...sim.manifest.files({ activeOnly: true })];
    // An owner with two folders holding files, a file without a link or collaborators in one of them.
    for (const u of plain) {
      const mine = files.filter((f) => f.ownerId === u.id && f.parentId !== '0');
      const candidate = mine.find(
        (f) =>
          f.sharedLinkAccess === 'none' &&
          f.collaborators.internal.length + f.collaborators.external.length === 0,
      );
      const elsewhere = candidate && mine.find((f) => f.parentId !== candidate.parentId);
      if (candidate && elsewhere) {
        owner = u;
        file = candidate;
        otherFolderId = elsewhere.parentId;
        break;
      }
    }
    other = plain.find((u) => u.id !== owner.id)!;
    plainClient = (await connectAs(sim, other.login)).client;
    asOwner = admin.withAsUserHeader(owner.id);
    asOther = admin.withAsUserHeader(other.id);
    // The owner's webhooks on both folders: every change below is observed on one of them.
    for (const folderId of [file.parentId, otherFolderId])
      await asOwner.webhooks.createWebhook({
        target: { id: folderId, type: 'folder' },
        address: receiver.url,
        triggers: ALL_TRIGGERS,
      });
    const start = await admin.events.getEvents({ streamType: 'admin_logs_streaming', streamPosition: 'now' });
    streamPosition = String(start.nextStreamPosition);
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  test('As-User: a plain user cannot use it, a co-admin cannot act as the admin, nobody sees files they do not own or share', async () => {
    expect(
      await refused(
        plainClient.withAsUserHeader(owner.id).files.updateFileById(file.id, {
          requestBody: { sharedLink: { access: 'open' } },
        }),
      ),
    ).toMatchObject({ status: 403, body: { code: 'access_denied_insufficient_permissions', type: 'error' } });
    expect(
      await refused(coadminClient.withAsUserHeader(sim.manifest.admin.id).files.getFileById(file.id)),
    ).toMatchObject({ status: 403, body: { code: 'access_denied_insufficient_permissions' } });
    const adminFile = [...sim.manifest.files({ activeOnly: true, ownerId: sim.manifest.admin.id })][0]!;
    // A co-admin's own token cannot touch the admin's file (not even see it), nor can the admin a user's.
    expect(
      await refused(coadminClient.files.updateFileById(adminFile.id, { requestBody: { sharedLink: null } })),
    ).toMatchObject({ status: 404, body: { code: 'not_found' } });
    // (The SDK reads no body on calls answered without content, such as DELETE: the status only.)
    expect(await refused(admin.files.deleteFileById(file.id))).toMatchObject({ status: 404 });
    expect(await refused(asOther.files.deleteFileById(file.id))).toMatchObject({ status: 404 });
    // The co-admin may act as a plain user.
    const seen = await coadminClient.withAsUserHeader(owner.id).files.getFileById(file.id);
    expect(seen.id).toBe(file.id);
    expect(sim.manifest.file(file.id)!.trashed).toBe(false);
  });

  test('PUT /files/:id shared_link: create, change access and expiry, remove; events, webhooks, ground truth', async () => {
    const created = await asOwner.sharedLinksFiles.addShareLinkToFile(
      file.id,
      { sharedLink: { access: 'open' } },
      { fields: 'shared_link' },
    );
    expect(created.sharedLink).toMatchObject({
      access: 'open',
      url: expect.stringContaining('/s/') as unknown,
    });
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('open');
    expect((await newEvents(file.id)).map((e) => e.type)).toEqual(['SHARE']);
    await delivered('SHARED_LINK.CREATED', file.id);

    const expiry = new Date(Date.now() + 3 * 86_400_000);
    expiry.setUTCMilliseconds(0);
    const updated = await asOwner.sharedLinksFiles.updateSharedLinkOnFile(
      file.id,
      {
        sharedLink: {
          access: 'company',
          unsharedAt: dateTimeFromString(expiry.toISOString().replace('.000Z', 'Z')),
        },
      },
      { fields: 'shared_link' },
    );
    const raw = (updated.rawData as Raw).shared_link as Raw;
    expect(raw).toMatchObject({ access: 'company' });
    expect(Date.parse(raw.unshared_at as string)).toBe(expiry.getTime());
    expect(sim.manifest.file(file.id)).toMatchObject({ sharedLinkAccess: 'company' });
    expect(Date.parse(sim.manifest.file(file.id)!.sharedLinkUnsharedAt!)).toBe(expiry.getTime());
    expect((await newEvents(file.id)).map((e) => e.type)).toEqual(['ITEM_SHARED_UPDATE']);
    await delivered('SHARED_LINK.UPDATED', file.id);

    // Access alone keeps the expiry; the same settings again change nothing and log nothing.
    await asOwner.sharedLinksFiles.updateSharedLinkOnFile(
      file.id,
      { sharedLink: { access: 'collaborators' } },
      { fields: 'shared_link' },
    );
    await asOwner.sharedLinksFiles.updateSharedLinkOnFile(
      file.id,
      { sharedLink: { access: 'collaborators' } },
      { fields: 'shared_link' },
    );
    expect(sim.manifest.file(file.id)!.sharedLinkUnsharedAt).not.toBeNull();
    expect((await newEvents(file.id)).map((e) => e.type)).toEqual(['ITEM_SHARED_UPDATE']);

    // Bad settings are refused and change nothing.
    expect(
      await refused(
        asOwner.sharedLinksFiles.updateSharedLinkOnFile(
          file.id,
          { sharedLink: { unsharedAt: dateTimeFromString('2020-01-01T00:00:00Z') } },
          { fields: 'shared_link' },
        ),
      ),
    ).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(
      await refused(
        asOwner.sharedLinksFiles.updateSharedLinkOnFile(
          file.id,
          { sharedLink: { password: 'secret' } },
          { fields: 'shared_link' },
        ),
      ),
    ).toMatchObject({ status: 400 });
    expect(
      await refused(asOwner.files.updateFileById(file.id, { requestBody: { description: 'x' } })),
    ).toMatchObject({ status: 400 });
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('collaborators');

    const removed = await asOwner.sharedLinksFiles.removeSharedLinkFromFile(
      file.id,
      { sharedLink: null },
      { fields: 'shared_link' },
    );
    expect((removed.rawData as Raw).shared_link).toBeNull();
    expect(sim.manifest.file(file.id)).toMatchObject({
      sharedLinkAccess: 'none',
      sharedLinkUnsharedAt: null,
    });
    expect((await newEvents(file.id)).map((e) => e.type)).toEqual(['UNSHARE']);
    await delivered('SHARED_LINK.DELETED', file.id);
  });

  test('collaborations: invite, list, roles decide who may change the file, remove; 400 for a second invite, 404 once gone', async () => {
    const collab = await asOwner.userCollaborations.createCollaboration({
      item: { type: 'file', id: file.id },
      accessibleBy: { type: 'user', id: other.id },
      role: 'viewer',
    });
    expect(collab).toMatchObject({ role: 'viewer', accessibleBy: { id: other.id } });
    expect(sim.manifest.file(file.id)!.collaborators.internal).toEqual([other.login]);
    expect((await newEvents(file.id)).map((e) => e.type)).toEqual(['COLLABORATION_INVITE']);
    await delivered('COLLABORATION.CREATED', file.id);
    expect(
      await refused(
        asOwner.userCollaborations.createCollaboration({
          item: { type: 'file', id: file.id },
          accessibleBy: { type: 'user', login: other.login },
          role: 'editor',
        }),
      ),
    ).toMatchObject({ status: 400, body: { code: 'user_already_collaborator' } });
    const external = await asOwner.userCollaborations.createCollaboration({
      item: { type: 'file', id: file.id },
      accessibleBy: { type: 'user', login: 'partner@outside-sim.example' },
      role: 'editor',
    });
    const listed = await asOwner.listCollaborations.getFileCollaborations(file.id);
    expect((listed.entries ?? []).map((c) => c.id).sort()).toEqual([collab.id, external.id].sort());

    // A viewer sees the file but may not change it, nor remove someone else's collaboration.
    expect((await asOther.files.getFileById(file.id)).id).toBe(file.id);
    expect(
      await refused(
        asOther.files.updateFileById(file.id, { requestBody: { sharedLink: { access: 'open' } } }),
      ),
    ).toMatchObject({ status: 403, body: { code: 'access_denied_insufficient_permissions' } });
    expect(await refused(asOther.files.deleteFileById(file.id))).toMatchObject({ status: 403 });
    expect(await refused(asOther.userCollaborations.deleteCollaborationById(external.id))).toMatchObject({
      status: 403,
    });
    expect(sim.manifest.file(file.id)).toMatchObject({ sharedLinkAccess: 'none', trashed: false });

    await asOwner.userCollaborations.deleteCollaborationById(external.id);
    expect(sim.manifest.file(file.id)!.collaborators.external).toEqual([]);
    const events = await newEvents(file.id);
    expect(events.map((e) => e.type)).toEqual(['COLLABORATION_INVITE', 'COLLABORATION_REMOVE']);
    await delivered('COLLABORATION.REMOVED', file.id);
    expect(await refused(asOwner.userCollaborations.deleteCollaborationById(external.id))).toMatchObject({
      status: 404,
    });
    // The collaborator may leave.
    await asOther.userCollaborations.deleteCollaborationById(collab.id);
    expect(sim.manifest.file(file.id)!.collaborators.internal).toEqual([]);
    expect(await refused(asOther.files.getFileById(file.id))).toMatchObject({ status: 404 });
    await newEvents(file.id);
  });

  test('an editor collaborator may change the shared link and move the file within reach', async () => {
    const collab = await asOwner.userCollaborations.createCollaboration({
      item: { type: 'file', id: file.id },
      accessibleBy: { type: 'user', id: other.id },
      role: 'editor',
    });
    await asOther.files.updateFileById(file.id, { requestBody: { sharedLink: { access: 'company' } } });
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('company');
    // The editor of the file cannot put it into the owner's other folder: they have no role there.
    expect(
      await refused(
        asOther.files.updateFileById(file.id, { requestBody: { parent: { id: otherFolderId } } }),
      ),
    ).toMatchObject({ status: 404 });
    await asOther.files.updateFileById(file.id, { requestBody: { sharedLink: null } });
    await asOwner.userCollaborations.deleteCollaborationById(collab.id);
    await newEvents(file.id);
  });

  test('POST /folders: created in the root, listed, 409 item_name_in_use with the existing folder, bad names refused', async () => {
    const folder = await admin.folders.createFolder({ name: 'Quarantine Test', parent: { id: '0' } });
    expect(folder).toMatchObject({
      type: 'folder',
      name: 'Quarantine Test',
      ownedBy: { id: sim.manifest.admin.id },
    });
    const root = await admin.folders.getFolderItems('0', { queryParams: { limit: 1000 } });
    expect((root.entries ?? []).some((e) => e.id === folder.id)).toBe(true);
    const conflict = await refused(
      admin.folders.createFolder({ name: 'quarantine TEST', parent: { id: '0' } }),
    );
    expect(conflict).toMatchObject({
      status: 409,
      body: {
        code: 'item_name_in_use',
        context_info: { conflicts: [{ type: 'folder', id: folder.id, name: 'Quarantine Test' }] },
      },
    });
    const sub = await admin.folders.createFolder({ name: 'inner', parent: { id: folder.id } });
    expect(sub.parent).toMatchObject({ id: folder.id });
    expect((await admin.folders.getFolderById(sub.id)).pathCollection?.entries?.map((e) => e.id)).toEqual([
      '0',
      folder.id,
    ]);
    expect(await refused(admin.folders.createFolder({ name: 'a/b', parent: { id: '0' } }))).toMatchObject({
      status: 400,
      body: { code: 'item_name_invalid' },
    });
    // The owner cannot see the admin's folder: 404, not 403.
    expect(
      await refused(asOwner.folders.createFolder({ name: 'x', parent: { id: folder.id } })),
    ).toMatchObject({
      status: 404,
    });
    // A folder made in a folder with webhooks: FOLDER.CREATED for the new folder.
    const foldersBefore = sim.manifest.folderCount;
    const watched = await asOwner.folders.createFolder({
      name: 'Made by API',
      parent: { id: file.parentId },
    });
    expect(sim.manifest.folderCount).toBe(foldersBefore + 1);
    const created = await delivered('FOLDER.CREATED', watched.id);
    expect(created.source).toMatchObject({ type: 'folder', id: watched.id });
    const listed = await asOwner.folders.getFolderItems(file.parentId, { queryParams: { limit: 1000 } });
    expect((listed.entries ?? []).filter((e) => e.type === 'folder').map((e) => e.id)).toContain(watched.id);
    const events = await admin.events.getEvents({
      streamType: 'admin_logs_streaming',
      streamPosition,
      limit: 500,
    });
    const mine = (((events.rawData as Raw).entries as Raw[]) ?? []).filter(
      (e) => (e.source as Raw).item_id === folder.id,
    );
    expect(mine.map((e) => [e.event_type, (e.source as Raw).item_type])).toEqual([['UPLOAD', 'folder']]);
  });

  test('upload (multipart on the upload URL): the file is created with its bytes; 409 names the existing file', async () => {
    const text = 'A note left by connect-box.\n';
    const uploaded = await asOwner.uploads.uploadFile({
      attributes: { name: 'connect-box note.txt', parent: { id: otherFolderId } },
      file: Readable.from([Buffer.from(text)]),
    });
    const made = uploaded.entries![0]!;
    expect(made).toMatchObject({ name: 'connect-box note.txt', parent: { id: otherFolderId } });
    expect(sim.manifest.file(made.id)).toMatchObject({
      ownerId: owner.id,
      parentId: otherFolderId,
      sha1: createHash('sha1').update(text).digest('hex'),
      size: Buffer.byteLength(text),
    });
    expect((await newEvents(made.id)).map((e) => e.type)).toEqual(['UPLOAD']);
    await delivered('FILE.UPLOADED', made.id);
    const again = await refused(
      asOwner.uploads.uploadFile({
        attributes: { name: 'Connect-Box Note.txt', parent: { id: otherFolderId } },
        file: Readable.from([Buffer.from('other')]),
      }),
    );
    expect(again).toMatchObject({
      status: 409,
      body: { code: 'item_name_in_use', context_info: { conflicts: { type: 'file', id: made.id } } },
    });
    expect(
      await refused(
        asOther.uploads.uploadFile({
          attributes: { name: 'n.txt', parent: { id: otherFolderId } },
          file: Readable.from([Buffer.from('x')]),
        }),
      ),
    ).toMatchObject({ status: 404 });
  });

  test('PUT /files/:id parent: move with MOVE and FILE.MOVED, 409 on a name taken in the target', async () => {
    const clash = await asOwner.uploads.uploadFile({
      attributes: { name: file.name, parent: { id: otherFolderId } },
      file: Readable.from([Buffer.from('same name')]),
    });
    const clashId = clash.entries![0]!.id;
    await newEvents(file.id);
    expect(
      await refused(
        asOwner.files.updateFileById(file.id, { requestBody: { parent: { id: otherFolderId } } }),
      ),
    ).toMatchObject({
      status: 409,
      body: { code: 'item_name_in_use', context_info: { conflicts: [{ id: clashId }] } },
    });
    expect(sim.manifest.file(file.id)!.parentId).toBe(file.parentId);
    await asOwner.files.deleteFileById(clashId);
    const moved = await asOwner.files.updateFileById(file.id, {
      requestBody: { parent: { id: otherFolderId } },
      queryParams: { fields: ['parent'] },
    });
    expect(moved.parent).toMatchObject({ id: otherFolderId });
    expect(sim.manifest.file(file.id)!.parentId).toBe(otherFolderId);
    const events = await newEvents(file.id);
    expect(events.map((e) => e.type)).toEqual(['MOVE']);
    // Made through the API: Box names the app in the event.
    expect(events[0]!.raw.additional_details).toMatchObject({
      old_parent_id: file.parentId,
      service_id: sim.clientId,
    });
    await delivered('FILE.MOVED', file.id);
    // Moving into a folder the user cannot see is 404; into their own root is fine.
    const adminFolder = await admin.folders.createFolder({ name: 'Not yours', parent: { id: '0' } });
    expect(
      await refused(
        asOwner.files.updateFileById(file.id, { requestBody: { parent: { id: adminFolder.id } } }),
      ),
    ).toMatchObject({ status: 404 });
    await asOwner.files.updateFileById(file.id, { requestBody: { parent: { id: file.parentId } } });
    expect(sim.manifest.file(file.id)!.parentId).toBe(file.parentId);
    await newEvents(file.id);
  });

  test('moving into a folder owned by someone else needs an uploading role there, and hands the file to its owner', async () => {
    const target = await admin.folders.createFolder({ name: 'Collected', parent: { id: '0' } });
    const upload = await asOwner.uploads.uploadFile({
      attributes: { name: 'handover.txt', parent: { id: file.parentId } },
      file: Readable.from([Buffer.from('handover')]),
    });
    const id = upload.entries![0]!.id;
    // Neither can do it alone: the admin does not see the owner's file, the owner not the admin's folder.
    expect(
      await refused(admin.files.updateFileById(id, { requestBody: { parent: { id: target.id } } })),
    ).toMatchObject({ status: 404 });
    expect(
      await refused(asOwner.files.updateFileById(id, { requestBody: { parent: { id: target.id } } })),
    ).toMatchObject({ status: 404 });
    // The owner invites the admin as editor of the file; the admin moves it into the admin's folder.
    const collab = await asOwner.userCollaborations.createCollaboration({
      item: { type: 'file', id },
      accessibleBy: { type: 'user', id: sim.manifest.admin.id },
      role: 'editor',
    });
    await admin.files.updateFileById(id, { requestBody: { parent: { id: target.id } } });
    expect(sim.manifest.file(id)).toMatchObject({ ownerId: sim.manifest.admin.id, parentId: target.id });
    expect(await refused(asOwner.files.getFileById(id))).toMatchObject({ status: 404 });
    await admin.userCollaborations.deleteCollaborationById(collab.id);
    expect(sim.manifest.file(id)!.collaborators.internal).toEqual([]);
  });

  test('DELETE /files/:id trashes, POST /files/:id restores (optionally elsewhere); events, webhooks, ground truth', async () => {
    // With a shared link: the trash answers show none (Box: inactive in the trash), restored it works again.
    await asOwner.files.updateFileById(file.id, { requestBody: { sharedLink: { access: 'company' } } });
    await newEvents(file.id);
    await asOwner.files.deleteFileById(file.id);
    expect(sim.manifest.file(file.id)!.trashed).toBe(true);
    expect(await refused(asOwner.files.getFileById(file.id))).toMatchObject({
      status: 404,
      body: { code: 'trashed' },
    });
    const trashed = await asOwner.trashedFiles.getTrashedFileById(file.id);
    expect(trashed).toMatchObject({ id: file.id, itemStatus: 'trashed' });
    expect(await refused(asOwner.files.deleteFileById(file.id))).toMatchObject({ status: 404 });
    expect((await newEvents(file.id)).map((e) => e.type)).toEqual(['DELETE']);
    await delivered('FILE.TRASHED', file.id);

    const restored = await asOwner.trashedFiles.restoreFileFromTrash(file.id, {
      requestBody: { parent: { id: otherFolderId } },
    });
    expect(restored).toMatchObject({ id: file.id, parent: { id: otherFolderId } });
    expect(trashed.sharedLink ?? null).toBeNull();
    expect(restored.sharedLink ?? null).toBeNull();
    expect((await asOwner.files.getFileById(file.id)).sharedLink).toMatchObject({ access: 'company' });
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('company');
    expect(sim.manifest.file(file.id)).toMatchObject({ trashed: false, parentId: otherFolderId });
    expect((await newEvents(file.id)).map((e) => e.type)).toEqual(['UNDELETE']);
    await delivered('FILE.RESTORED', file.id);
    expect(await refused(asOwner.trashedFiles.restoreFileFromTrash(file.id))).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
    expect(await refused(asOwner.trashedFiles.getTrashedFileById(file.id))).toMatchObject({ status: 404 });

    // Restoring where a file of that name now is: 409, still in the trash.
    await asOwner.files.deleteFileById(file.id);
    const twin = await asOwner.uploads.uploadFile({
      attributes: { name: file.name, parent: { id: otherFolderId } },
      file: Readable.from([Buffer.from('twin')]),
    });
    expect(await refused(asOwner.trashedFiles.restoreFileFromTrash(file.id))).toMatchObject({
      status: 409,
      body: { code: 'item_name_in_use', context_info: { conflicts: [{ id: twin.entries![0]!.id }] } },
    });
    expect(sim.manifest.file(file.id)!.trashed).toBe(true);
    await asOwner.trashedFiles.restoreFileFromTrash(file.id, {
      requestBody: { parent: { id: file.parentId } },
    });
    expect(sim.manifest.file(file.id)).toMatchObject({ trashed: false, parentId: file.parentId });
  });

  test('strict mode refuses parameters and fields box-sim does not implement', async () => {
    expect(
      await refused(
        asOwner.files.updateFileById(file.id, {
          requestBody: { name: file.name },
          queryParams: { fields: ['lock'] },
        }),
      ),
    ).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(
      await refused(
        admin.folders.createFolder(
          { name: 'with-sync', parent: { id: '0' }, syncState: 'synced' },
          { queryParams: { fields: ['name'] } },
        ),
      ),
    ).toMatchObject({ status: 400 });
  });
});

describe('box-sim shared link expiry by its clock', () => {
  test('a link whose unshared_at has passed is gone: no shared_link, none in the ground truth, a new one can be made', async () => {
    let t = Date.parse('2026-11-02T10:00:00Z');
    const sim = await startBoxSim({ seed: 4, users: 6, files: 60, now: () => t });
    try {
      const admin = (await connectAs(sim, sim.manifest.admin.login)).client;
      const file = [...sim.manifest.files({ activeOnly: true })].find(
        (f) => f.ownerId !== sim.manifest.admin.id && f.sharedLinkAccess === 'none',
      )!;
      const asOwner = admin.withAsUserHeader(file.ownerId);
      const expiry = new Date(t + 3_600_000).toISOString().replace('.000Z', 'Z');
      await asOwner.sharedLinksFiles.addShareLinkToFile(
        file.id,
        { sharedLink: { access: 'open', unsharedAt: dateTimeFromString(expiry) } },
        { fields: 'shared_link' },
      );
      t += 3_599_000;
      expect((await asOwner.files.getFileById(file.id)).sharedLink).toMatchObject({ access: 'open' });
      t += 2_000;
      const after = await asOwner.files.getFileById(file.id, { queryParams: { fields: ['shared_link'] } });
      expect((after.rawData as Raw).shared_link).toBeNull();
      expect(sim.manifest.file(file.id)).toMatchObject({
        sharedLinkAccess: 'none',
        sharedLinkUnsharedAt: null,
      });
      await asOwner.sharedLinksFiles.addShareLinkToFile(
        file.id,
        { sharedLink: { access: 'company' } },
        { fields: 'shared_link' },
      );
      expect(sim.manifest.file(file.id)).toMatchObject({
        sharedLinkAccess: 'company',
        sharedLinkUnsharedAt: null,
      });
    } finally {
      await sim.close();
    }
  });
});
