/**
 * The Box side of governance actions (activities/governance-box.ts) against box-sim through the real
 * box-node-sdk: each action changes Box as asked, a second call changes nothing and says so, and Box's
 * refusals arrive as the product's Box failures.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { BoxClient } from 'box-node-sdk';
import { startBoxSim, type BoxSim, type FileTruth, type UserTruth } from '../../box-sim';
import { ENTERPRISE_DOMAIN } from '../../box-sim/enterprise';
import {
  deleteFile,
  ensureQuarantineFolder,
  moveFile,
  quarantineFile,
  quarantineFolderName,
  readFileState,
  removeCollaboration,
  removeSharedLink,
  restoreFile,
  restoreFromQuarantine,
  restrictSharedLink,
  setSharedLinkExpiry,
  uploadNote,
} from '../../activities/governance-box';
import { REAUTHORIZATION_FAILURES } from '../../domain/box-failures';
import { connectAs } from './box-sim/sdk-session';

describe('governance actions on Box (box-sim, box-node-sdk)', () => {
  let sim: BoxSim;
  let admin: BoxClient;
  let coadmin: BoxClient;
  let owner: UserTruth;
  let asOwner: BoxClient;
  let files: FileTruth[];

  /** An active file of the owner's in a folder, not used by another test. */
  const taken = new Set<string>();
  function ownersFile(ownerId = owner.id): FileTruth {
    const f = files.find((x) => x.ownerId === ownerId && x.parentId !== '0' && !taken.has(x.id))!;
    taken.add(f.id);
    return f;
  }

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 33, users: 12, files: 400 });
    admin = (await connectAs(sim, sim.manifest.admin.login)).client;
    coadmin = (await connectAs(sim, sim.manifest.coadmins[0]!.login)).client;
    files = [...sim.manifest.files({ activeOnly: true })];
    owner = sim.manifest.users.find(
      (u) => u.role === 'user' && u.inEnterprise && files.filter((f) => f.ownerId === u.id).length >= 8,
    )!;
    asOwner = admin.withAsUserHeader(owner.id);
  });
  afterAll(async () => {
    await sim.close();
  });

  test('readFileState: metadata, shared link, collaborations with external ones marked; trashed from the trash; null once deleted or unseen', async () => {
    const file = ownersFile();
    sim.control.share(file.id, { access: 'open' });
    sim.control.collaborate(file.id, { email: 'guest@partner-sim.example', role: 'viewer' });
    const colleague = sim.manifest.users.find((u) => u.inEnterprise && u.id !== owner.id)!;
    sim.control.collaborate(file.id, { email: colleague.login, role: 'editor' });
    const state = await readFileState(asOwner, file.id, [ENTERPRISE_DOMAIN]);
    const truth = sim.manifest.file(file.id)!;
    expect(state).toMatchObject({
      fileId: file.id,
      name: truth.name,
      sha1: truth.sha1,
      ownerId: owner.id,
      ownerLogin: owner.login.toLowerCase(),
      parentId: truth.parentId,
      trashed: false,
      sharedLink: { access: 'open', unsharedAt: null },
    });
    expect(state!.sharedLink!.url).toMatch(/\/s\//);
    expect(state!.collaborations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ login: 'guest@partner-sim.example', role: 'viewer', external: true }),
        expect.objectContaining({
          login: colleague.login.toLowerCase(),
          userId: colleague.id,
          external: false,
        }),
      ]),
    );
    expect(state!.collaborations).toHaveLength(2);
    sim.control.trash(file.id);
    expect(await readFileState(asOwner, file.id, [ENTERPRISE_DOMAIN])).toMatchObject({
      fileId: file.id,
      sha1: truth.sha1,
      trashed: true,
      // Box shows no shared link in the trash (it works again after a restore).
      sharedLink: null,
      collaborations: [],
    });
    sim.control.delete(file.id);
    expect(await readFileState(asOwner, file.id, [ENTERPRISE_DOMAIN])).toBeNull();
    // Not visible to this user: null too.
    const unseen = ownersFile();
    expect(await readFileState(admin, unseen.id, [ENTERPRISE_DOMAIN])).toBeNull();
  });

  test('removeSharedLink, restrictSharedLink (never widens) and setSharedLinkExpiry (only shortens) are idempotent', async () => {
    const file = ownersFile();
    sim.control.share(file.id, { access: 'open' });
    expect(await restrictSharedLink(asOwner, file.id, 'company')).toBe(true);
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('company');
    expect(await restrictSharedLink(asOwner, file.id, 'company')).toBe(false);
    expect(await restrictSharedLink(asOwner, file.id, 'open')).toBe(false);
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('company');

    const in30 = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const in7 = new Date(Date.now() + 7 * 86_400_000).toISOString();
    expect(await setSharedLinkExpiry(asOwner, file.id, in30)).toBe(true);
    expect(await setSharedLinkExpiry(asOwner, file.id, in30)).toBe(false);
    expect(await setSharedLinkExpiry(asOwner, file.id, in7)).toBe(true);
    expect(await setSharedLinkExpiry(asOwner, file.id, in30)).toBe(false);
    const expiry = sim.manifest.file(file.id)!.sharedLinkUnsharedAt!;
    expect(Math.abs(Date.parse(expiry) - Date.parse(in7))).toBeLessThan(1000);
    // Narrowing keeps the expiry; the expiry keeps the access.
    expect(await restrictSharedLink(asOwner, file.id, 'collaborators')).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({
      sharedLinkAccess: 'collaborators',
      sharedLinkUnsharedAt: expiry,
    });

    expect(await removeSharedLink(asOwner, file.id)).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({
      sharedLinkAccess: 'none',
      sharedLinkUnsharedAt: null,
    });
    expect(await removeSharedLink(asOwner, file.id)).toBe(false);
    expect(await restrictSharedLink(asOwner, file.id, 'collaborators')).toBe(false);
    expect(await setSharedLinkExpiry(asOwner, file.id, in7)).toBe(false);
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('none');
  });

  test('the admin acts on its own files without As-User; a co-admin is refused on the admin’s file (BoxForbidden)', async () => {
    const file = ownersFile(sim.manifest.admin.id);
    sim.control.share(file.id, { access: 'open' });
    await expect(
      removeSharedLink(coadmin.withAsUserHeader(sim.manifest.admin.id), file.id),
    ).rejects.toMatchObject({
      type: 'BoxForbidden',
    });
    // Its own token does not see the admin's file at all.
    const notFound = await removeSharedLink(coadmin, file.id).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ApplicationFailure);
    expect(notFound).toMatchObject({ type: 'BoxNotFound', nonRetryable: true });
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('open');
    expect(await removeSharedLink(admin, file.id)).toBe(true);
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('none');
  });

  test('removeCollaboration: removed once, then already gone (404 counts as done)', async () => {
    const file = ownersFile();
    sim.control.collaborate(file.id, { email: 'ext@elsewhere-sim.example', role: 'editor' });
    const state = await readFileState(asOwner, file.id, [ENTERPRISE_DOMAIN]);
    const collab = state!.collaborations.find((c) => c.external)!;
    expect(await removeCollaboration(asOwner, collab.id)).toBe(true);
    expect(sim.manifest.file(file.id)!.collaborators.external).toEqual([]);
    expect(await removeCollaboration(asOwner, collab.id)).toBe(false);
  });

  test('ensureQuarantineFolder creates the folder once and finds it on the 409 afterwards', async () => {
    const id = await ensureQuarantineFolder(admin, 'conn-q1');
    expect(await ensureQuarantineFolder(admin, 'conn-q1')).toBe(id);
    const root = await admin.folders.getFolderItems('0', { queryParams: { limit: 1000 } });
    const named = (root.entries ?? []).filter(
      (e) => (e as { name?: string }).name === quarantineFolderName('conn-q1'),
    );
    expect(named.map((e) => e.id)).toEqual([id]);
    expect(await ensureQuarantineFolder(admin, 'conn-q2')).not.toBe(id);
  });

  test('quarantineFile hands the file to the admin’s quarantine folder; restoreFromQuarantine hands it back; both finish a half-done attempt', async () => {
    const file = ownersFile();
    const folderId = await ensureQuarantineFolder(admin, 'conn-q3');
    const input = { fileId: file.id, adminUserId: sim.manifest.admin.id, quarantineFolderId: folderId };
    expect(await quarantineFile(asOwner, admin, input)).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({
      parentId: folderId,
      ownerId: sim.manifest.admin.id,
      collaborators: { internal: [], external: [] },
    });
    expect(await readFileState(asOwner, file.id, [ENTERPRISE_DOMAIN])).toBeNull();
    expect(await quarantineFile(asOwner, admin, input)).toBe(false);

    const back = { fileId: file.id, ownerUserId: owner.id, parentId: file.parentId };
    expect(await restoreFromQuarantine(admin, asOwner, back)).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({
      parentId: file.parentId,
      ownerId: owner.id,
      collaborators: { internal: [], external: [] },
    });
    expect(await restoreFromQuarantine(admin, asOwner, back)).toBe(false);

    // A worker died after inviting the admin: the next attempt moves and cleans up.
    await asOwner.userCollaborations.createCollaboration({
      item: { type: 'file', id: file.id },
      accessibleBy: { type: 'user', id: sim.manifest.admin.id },
      role: 'editor',
    });
    expect(await quarantineFile(asOwner, admin, input)).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({ parentId: folderId, ownerId: sim.manifest.admin.id });
    expect(sim.manifest.file(file.id)!.collaborators.internal).toEqual([]);
    // A worker died after the move, before dropping the collaboration: the retry only cleans up.
    expect(await restoreFromQuarantine(admin, asOwner, back)).toBe(true);
    await asOwner.userCollaborations.createCollaboration({
      item: { type: 'file', id: file.id },
      accessibleBy: { type: 'user', id: sim.manifest.admin.id },
      role: 'editor',
    });
    await admin.files.updateFileById(file.id, { requestBody: { parent: { id: folderId } } });
    expect(sim.manifest.file(file.id)!.collaborators.internal).toEqual([sim.manifest.admin.login]);
    expect(await quarantineFile(asOwner, admin, input)).toBe(false);
    expect(sim.manifest.file(file.id)).toMatchObject({
      parentId: folderId,
      collaborators: { internal: [], external: [] },
    });
  });

  test('quarantine and restore of a file the admin owns itself (one client on both sides)', async () => {
    const file = ownersFile(sim.manifest.admin.id);
    const folderId = await ensureQuarantineFolder(admin, 'conn-q4');
    const input = { fileId: file.id, adminUserId: sim.manifest.admin.id, quarantineFolderId: folderId };
    expect(await quarantineFile(admin, admin, input)).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({ parentId: folderId, ownerId: sim.manifest.admin.id });
    expect(await quarantineFile(admin, admin, input)).toBe(false);
    const back = { fileId: file.id, ownerUserId: sim.manifest.admin.id, parentId: file.parentId };
    const asAdmin = admin.withAsUserHeader(sim.manifest.admin.id);
    expect(await restoreFromQuarantine(admin, asAdmin, back)).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({
      parentId: file.parentId,
      collaborators: { internal: [], external: [] },
    });
  });

  test('moveFile moves once; uploadNote uploads once and answers the existing note on a retry', async () => {
    const file = ownersFile();
    const target = files.find(
      (f) => f.ownerId === owner.id && f.parentId !== file.parentId && f.parentId !== '0',
    )!;
    expect(await moveFile(asOwner, file.id, target.parentId)).toBe(true);
    expect(sim.manifest.file(file.id)!.parentId).toBe(target.parentId);
    expect(await moveFile(asOwner, file.id, target.parentId)).toBe(false);

    const text = `${file.name} was quarantined by connect-box. Contact it-security@${ENTERPRISE_DOMAIN}.\n`;
    const noteId = await uploadNote(asOwner, file.parentId, `${file.name} - quarantined.txt`, text);
    expect(sim.manifest.file(noteId)).toMatchObject({
      name: `${file.name} - quarantined.txt`,
      parentId: file.parentId,
      ownerId: owner.id,
      size: Buffer.byteLength(text),
    });
    expect(await uploadNote(asOwner, file.parentId, `${file.name} - quarantined.txt`, text)).toBe(noteId);
    expect(
      [...sim.manifest.files({ activeOnly: true })].filter(
        (f) => f.name === `${file.name} - quarantined.txt`,
      ),
    ).toHaveLength(1);
  });

  test('deleteFile trashes once; restoreFile restores once, into another folder when asked', async () => {
    const file = ownersFile();
    expect(await deleteFile(asOwner, file.id)).toBe(true);
    expect(sim.manifest.file(file.id)!.trashed).toBe(true);
    expect(await deleteFile(asOwner, file.id)).toBe(false);
    expect(await restoreFile(asOwner, file.id)).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({ trashed: false, parentId: file.parentId });
    expect(await restoreFile(asOwner, file.id)).toBe(false);

    const elsewhere = files.find(
      (f) => f.ownerId === owner.id && f.parentId !== file.parentId && f.parentId !== '0',
    )!;
    await deleteFile(asOwner, file.id);
    expect(await restoreFile(asOwner, file.id, elsewhere.parentId)).toBe(true);
    expect(sim.manifest.file(file.id)).toMatchObject({ trashed: false, parentId: elsewhere.parentId });
    // A file that never existed is not "already restored".
    await expect(restoreFile(asOwner, '1000000099999')).rejects.toMatchObject({ type: 'BoxNotFound' });
  });

  test('a rejected token surfaces as the reauthorization failure the scan pauses on', async () => {
    const file = ownersFile();
    sim.control.share(file.id, { access: 'open' });
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    sim.control.removeApp();
    await expect(removeSharedLink(client.withAsUserHeader(owner.id), file.id)).rejects.toBeInstanceOf(
      ApplicationFailure,
    );
    const failure = (await removeSharedLink(client.withAsUserHeader(owner.id), file.id).catch(
      (e: unknown) => e,
    )) as ApplicationFailure;
    // The SDK's own OAuth (as in this test) refreshes on the 401 and is refused: invalid_grant.
    expect(failure).toMatchObject({ type: 'BoxInvalidRefreshToken', nonRetryable: true });
    expect(REAUTHORIZATION_FAILURES).toContain(failure.type);
    expect(sim.manifest.file(file.id)!.sharedLinkAccess).toBe('open');
  });
});
