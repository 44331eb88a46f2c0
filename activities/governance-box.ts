/**
 * The Box side of governance actions: read a file's sharing, remove or restrict its shared link, remove
 * collaborators, quarantine, trash and restore, each through box-node-sdk. Every function takes a
 * `BoxClient` already acting as the right user (`withAsUserHeader(ownerId)` of the admin's client, or the
 * admin's client itself) and is idempotent: called again after it worked (a retried activity, a worker
 * that died after Box answered) it changes nothing and succeeds. The mutating ones say whether they
 * changed Box (`true`) or found it already so (`false`). Box errors other than the "already done" ones are
 * thrown as `boxFailure(err)` (box/box-failure.ts), like the scan's, so a workflow retries transient ones
 * and pauses on a rejected token.
 */
import { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import type { BoxClient } from 'box-node-sdk';
import { BoxApiError } from 'box-node-sdk/box';
import { dateTimeFromString } from 'box-node-sdk/internal/utils';
import { boxFailure } from '../box/box-failure';

/** A shared link's access level. */
export type SharedLinkAccess = 'open' | 'company' | 'collaborators';

/** From the widest to the narrowest. */
export const SHARED_LINK_ACCESS_ORDER: readonly SharedLinkAccess[] = ['open', 'company', 'collaborators'];

/** What governance checks and records about a file (before and after an action). */
export interface FileGovernanceState {
  fileId: string;
  name: string;
  sha1: string;
  ownerId: string;
  ownerLogin: string;
  parentId: string;
  trashed: boolean;
  sharedLink: { access: SharedLinkAccess; url: string; unsharedAt: string | null } | null;
  collaborations: {
    id: string;
    login: string | null;
    userId: string | null;
    role: string;
    /** The login's domain is not one of the internal domains given. */
    external: boolean;
  }[];
}

type Raw = Record<string, unknown>;
const FILE_FIELDS = ['id', 'name', 'sha1', 'owned_by', 'parent', 'shared_link', 'item_status'];

/**
 * The file's governance state as the client's user sees it: metadata, shared link and its direct
 * collaborations (all pages). A file in the trash (Box: `GET /files/:id` 404 `trashed`) is read from the
 * trash (`GET /files/:id/trash`) with `trashed: true`, no shared link and no collaborations (Box shows
 * neither for a trashed file; the link works again after a restore). Null
 * when the file is gone: deleted, or not visible to this user (404).
 */
export async function readFileState(
  client: BoxClient,
  fileId: string,
  internalDomains: readonly string[],
): Promise<FileGovernanceState | null> {
  let raw: Raw;
  try {
    const file = await client.files.getFileById(fileId, { queryParams: { fields: FILE_FIELDS } });
    raw = obj(file.rawData) ?? {};
  } catch (err) {
    if (statusOf(err) !== 404) throw boxFailure(err);
    if (codeOf(err) !== 'trashed') return null;
    try {
      // Without `fields`: the SDK's TrashFile requires fields a `fields=` answer leaves out.
      const trashed = await client.trashedFiles.getTrashedFileById(fileId);
      return stateOf(obj(trashed.rawData) ?? {}, fileId, true, []);
    } catch (trashErr) {
      if (statusOf(trashErr) === 404) return null;
      throw boxFailure(trashErr);
    }
  }
  const collaborations: FileGovernanceState['collaborations'] = [];
  const internal = internalDomains.map((d) => d.toLowerCase());
  let marker: string | undefined;
  try {
    do {
      const page = await client.listCollaborations.getFileCollaborations(fileId, {
        queryParams: { limit: 1000, ...(marker && { marker }) },
      });
      const pageRaw = obj(page.rawData) ?? {};
      for (const entry of (pageRaw.entries as unknown[] | undefined) ?? []) {
        const c = obj(entry);
        const id = str(c?.id);
        if (!c || !id) continue;
        const who = obj(c.accessible_by);
        const login = (str(who?.login) ?? str(c.invite_email) ?? null)?.toLowerCase() ?? null;
        const domain = login?.split('@')[1];
        collaborations.push({
          id,
          login,
          userId: str(who?.id) ?? null,
          role: str(c.role) ?? 'editor',
          external: domain === undefined ? true : !internal.includes(domain),
        });
      }
      marker = str(pageRaw.next_marker) || undefined;
    } while (marker);
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw boxFailure(err);
  }
  return stateOf(raw, fileId, raw.item_status === 'trashed', collaborations);
}

function stateOf(
  raw: Raw,
  fileId: string,
  trashed: boolean,
  collaborations: FileGovernanceState['collaborations'],
): FileGovernanceState {
  const link = obj(raw.shared_link);
  const owner = obj(raw.owned_by);
  return {
    fileId: str(raw.id) ?? fileId,
    name: str(raw.name) ?? '',
    sha1: str(raw.sha1) ?? '',
    ownerId: str(owner?.id) ?? '',
    ownerLogin: (str(owner?.login) ?? '').toLowerCase(),
    parentId: str(obj(raw.parent)?.id) ?? '0',
    trashed,
    sharedLink: link
      ? {
          access: (str(link.access) ?? 'open') as SharedLinkAccess,
          url: str(link.url) ?? '',
          unsharedAt: str(link.unshared_at) ?? null,
        }
      : null,
    collaborations,
  };
}

/** Removes the file's shared link (`PUT /files/:id` with `shared_link: null`); false when it had none. */
export async function removeSharedLink(client: BoxClient, fileId: string): Promise<boolean> {
  const link = await currentLink(client, fileId);
  if (!link) return false;
  try {
    await client.sharedLinksFiles.removeSharedLinkFromFile(
      fileId,
      { sharedLink: null },
      { fields: 'shared_link' },
    );
    return true;
  } catch (err) {
    throw boxFailure(err);
  }
}

/**
 * Narrows the shared link's access to `access` (open -> company -> collaborators); never widens it.
 * False when there is no link or it is already that narrow.
 */
export async function restrictSharedLink(
  client: BoxClient,
  fileId: string,
  access: SharedLinkAccess,
): Promise<boolean> {
  if (!SHARED_LINK_ACCESS_ORDER.includes(access)) throw new Error(`unknown shared link access '${access}'`);
  const link = await currentLink(client, fileId);
  if (!link) return false;
  const current = SHARED_LINK_ACCESS_ORDER.indexOf(str(link.access) as SharedLinkAccess);
  if (current >= SHARED_LINK_ACCESS_ORDER.indexOf(access)) return false;
  try {
    await client.sharedLinksFiles.updateSharedLinkOnFile(
      fileId,
      // The expiry is sent along: an update keeps only what it names, whatever Box does with the rest.
      { sharedLink: { access, ...expiryKept(link) } },
      { fields: 'shared_link' },
    );
    return true;
  } catch (err) {
    throw boxFailure(err);
  }
}

/**
 * Sets the shared link's expiry (`unshared_at`, an ISO date-time) when it has none or a later one (an
 * expiry is only ever shortened). False when there is no link or it already expires by then.
 */
export async function setSharedLinkExpiry(
  client: BoxClient,
  fileId: string,
  unsharedAt: string,
): Promise<boolean> {
  const at = Date.parse(unsharedAt);
  if (Number.isNaN(at)) throw new Error(`unsharedAt is not a date-time: '${unsharedAt}'`);
  const link = await currentLink(client, fileId);
  if (!link) return false;
  const existing = str(link.unshared_at);
  if (existing && Date.parse(existing) <= at) return false;
  try {
    await client.sharedLinksFiles.updateSharedLinkOnFile(
      fileId,
      {
        sharedLink: {
          ...(SHARED_LINK_ACCESS_ORDER.includes(link.access as SharedLinkAccess) && {
            access: link.access as SharedLinkAccess,
          }),
          unsharedAt: dateTimeFromString(new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')),
        },
      },
      { fields: 'shared_link' },
    );
    return true;
  } catch (err) {
    throw boxFailure(err);
  }
}

/** Removes one collaboration (`DELETE /collaborations/:id`); false when it was already gone (404). */
export async function removeCollaboration(client: BoxClient, collaborationId: string): Promise<boolean> {
  try {
    await client.userCollaborations.deleteCollaborationById(collaborationId);
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw boxFailure(err);
  }
}

/** The name of a connector's quarantine folder in the admin's root. */
export function quarantineFolderName(connectorId: string): string {
  return `connect-box quarantine ${connectorId}`;
}

/**
 * The ID of the connector's quarantine folder in the admin's root (`connect-box quarantine <id>`),
 * created when missing; a 409 name conflict (created meanwhile, or by an earlier attempt) answers the
 * existing folder from the conflict's context.
 */
export async function ensureQuarantineFolder(adminClient: BoxClient, connectorId: string): Promise<string> {
  const name = quarantineFolderName(connectorId);
  try {
    const folder = await adminClient.folders.createFolder({ name, parent: { id: '0' } });
    return folder.id;
  } catch (err) {
    const conflict = conflictOf(err, 'folder');
    if (conflict) return conflict;
    throw boxFailure(err);
  }
}

/** Moves the file into a folder (`PUT /files/:id` with `parent.id`); false when it is already there. */
export async function moveFile(client: BoxClient, fileId: string, parentId: string): Promise<boolean> {
  try {
    const file = await client.files.getFileById(fileId, { queryParams: { fields: ['parent'] } });
    if (str(obj(obj(file.rawData)?.parent)?.id) === parentId) return false;
    await client.files.updateFileById(fileId, {
      requestBody: { parent: { id: parentId } },
      queryParams: { fields: ['parent'] },
    });
    return true;
  } catch (err) {
    throw boxFailure(err);
  }
}

/**
 * Quarantines a file: moves it from its owner into the admin's quarantine folder, as Box allows it. A
 * move needs edit rights on the file and on the target folder, and the owner has none on the admin's
 * folder while the admin sees no file of the owner's, so: the owner (`ownerClient`, As-User) invites the
 * admin as editor of the file; the admin (`adminClient`) moves it into the quarantine folder (the file
 * then belongs to the admin, the folder's owner, like any item in a Box folder) and drops that
 * collaboration. Each step is skipped when already done, so a retry finishes what an attempt began.
 * False when the file was already in the quarantine folder.
 */
export async function quarantineFile(
  ownerClient: BoxClient,
  adminClient: BoxClient,
  input: { fileId: string; adminUserId: string; quarantineFolderId: string },
): Promise<boolean> {
  return transferFile(ownerClient, adminClient, input.fileId, input.adminUserId, input.quarantineFolderId);
}

/**
 * Restores a quarantined file into a folder of its owner: the reverse of quarantineFile (the admin
 * invites the owner as editor, the owner moves it back and so owns it again, the invitation is dropped).
 * False when the file was already in that folder.
 */
export async function restoreFromQuarantine(
  adminClient: BoxClient,
  ownerClient: BoxClient,
  input: { fileId: string; ownerUserId: string; parentId: string },
): Promise<boolean> {
  return transferFile(adminClient, ownerClient, input.fileId, input.ownerUserId, input.parentId);
}

/** Moves a file from the holder's reach into a folder of the receiver's, through a file collaboration. */
async function transferFile(
  holder: BoxClient,
  receiver: BoxClient,
  fileId: string,
  receiverUserId: string,
  folderId: string,
): Promise<boolean> {
  try {
    const seen = await parentSeenBy(receiver, fileId);
    if (seen === folderId) {
      await dropCollaborationOf(receiver, fileId, receiverUserId);
      return false;
    }
    if (seen === undefined) {
      try {
        await holder.userCollaborations.createCollaboration({
          item: { type: 'file', id: fileId },
          accessibleBy: { type: 'user', id: receiverUserId },
          role: 'editor',
        });
      } catch (err) {
        if (!(statusOf(err) === 400 && codeOf(err) === 'user_already_collaborator')) throw err;
      }
    }
    await receiver.files.updateFileById(fileId, {
      requestBody: { parent: { id: folderId } },
      queryParams: { fields: ['parent'] },
    });
    await dropCollaborationOf(receiver, fileId, receiverUserId);
    return true;
  } catch (err) {
    throw boxFailure(err);
  }
}

/** The file's parent as this client sees it; undefined when it cannot see the file (404). */
async function parentSeenBy(client: BoxClient, fileId: string): Promise<string | undefined> {
  try {
    const file = await client.files.getFileById(fileId, { queryParams: { fields: ['parent'] } });
    return str(obj(obj(file.rawData)?.parent)?.id) ?? '0';
  } catch (err) {
    if (statusOf(err) === 404 && codeOf(err) === 'not_found') return undefined;
    throw err;
  }
}

async function dropCollaborationOf(client: BoxClient, fileId: string, userId: string): Promise<void> {
  const page = await client.listCollaborations.getFileCollaborations(fileId, {
    queryParams: { limit: 1000 },
  });
  for (const entry of (obj(page.rawData)?.entries as unknown[] | undefined) ?? []) {
    const c = obj(entry);
    if (str(obj(c?.accessible_by)?.id) !== userId) continue;
    try {
      await client.userCollaborations.deleteCollaborationById(str(c?.id)!);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }
}

/**
 * Uploads a small text note into a folder and answers its file ID; a 409 name conflict (an earlier
 * attempt uploaded it) answers the existing file's ID.
 */
export async function uploadNote(
  client: BoxClient,
  folderId: string,
  name: string,
  text: string,
): Promise<string> {
  try {
    const files = await client.uploads.uploadFile({
      attributes: { name, parent: { id: folderId } },
      file: Readable.from([Buffer.from(text, 'utf8')]),
    });
    const id = files.entries?.[0]?.id;
    if (id) return id;
  } catch (err) {
    const conflict = conflictOf(err, 'file');
    if (conflict) return conflict;
    throw boxFailure(err);
  }
  throw ApplicationFailure.retryable(`Box answered the upload of ${name} without a file`);
}

/** Moves the file to Box's trash (`DELETE /files/:id`); false when it was already trashed or gone (404). */
export async function deleteFile(client: BoxClient, fileId: string): Promise<boolean> {
  try {
    await client.files.deleteFileById(fileId);
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw boxFailure(err);
  }
}

/**
 * Restores the file from the trash (`POST /files/:id`), into `parentId` when given (Box restores into
 * the original folder otherwise). False when it was not in the trash (already restored: it answers
 * `GET /files/:id`).
 */
export async function restoreFile(client: BoxClient, fileId: string, parentId?: string): Promise<boolean> {
  try {
    await client.trashedFiles.restoreFileFromTrash(fileId, {
      requestBody: parentId === undefined ? {} : { parent: { id: parentId } },
    });
    return true;
  } catch (err) {
    if (statusOf(err) === 404) {
      try {
        await client.files.getFileById(fileId, { queryParams: { fields: ['id'] } });
        return false;
      } catch {
        throw boxFailure(err);
      }
    }
    throw boxFailure(err);
  }
}

/** The link's expiry to send with an update, unless it has none or is about to pass. */
function expiryKept(link: Raw): { unsharedAt?: ReturnType<typeof dateTimeFromString> } {
  const at = str(link.unshared_at);
  if (!at || Date.parse(at) < Date.now() + 60_000) return {};
  return { unsharedAt: dateTimeFromString(new Date(Date.parse(at)).toISOString().replace(/\.\d{3}Z$/, 'Z')) };
}

async function currentLink(client: BoxClient, fileId: string): Promise<Raw | undefined> {
  try {
    const file = await client.files.getFileById(fileId, { queryParams: { fields: ['shared_link'] } });
    return obj(obj(file.rawData)?.shared_link);
  } catch (err) {
    throw boxFailure(err);
  }
}

function statusOf(err: unknown): number | undefined {
  return err instanceof BoxApiError ? err.responseInfo.statusCode : undefined;
}

function codeOf(err: unknown): string | undefined {
  return err instanceof BoxApiError ? str(obj(err.responseInfo.body)?.code) : undefined;
}

/** The ID of the conflicting item of a 409 `item_name_in_use` of that type. */
function conflictOf(err: unknown, type: 'file' | 'folder'): string | undefined {
  if (statusOf(err) !== 409 || !(err instanceof BoxApiError)) return undefined;
  const info = obj(obj(err.responseInfo.body)?.context_info);
  const conflicts = info?.conflicts;
  const list = Array.isArray(conflicts) ? conflicts : conflicts ? [conflicts] : [];
  for (const c of list) {
    const item = obj(c);
    if (item?.type === type && str(item.id)) return str(item.id);
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function obj(v: unknown): Raw | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;
}
