import type { BoxClient } from 'box-node-sdk';
import { ApplicationFailure } from '@temporalio/common';

/** Fields asked for on every item of a folder page (all of them served by Box and box-sim). */
export const ITEM_FIELDS = [
  'type',
  'id',
  'name',
  'sha1',
  'size',
  'modified_at',
  'content_modified_at',
  'owned_by',
  'shared_link',
  'path_collection',
  'extension',
  'file_version',
  'has_collaborations',
] as const;

/** Fields asked for on users. */
const USER_FIELDS = ['id', 'login', 'role', 'status'] as const;

/** A managed user of the enterprise. */
export interface EnterpriseUser {
  id: string;
  login: string;
  role: string;
}

/** A file as a folder page or `GET /files/:id` describes it. */
export interface ListedFile {
  id: string;
  name: string;
  extension: string;
  size: number;
  sha1: string;
  ownerId: string;
  ownerLogin: string;
  /** The folder holding the file, `/A/B` (`/` at the root). */
  folderPath: string;
  /** Ancestor folder ids below the root, outermost first. */
  folderIds: string[];
  sharedLinkAccess: string | null;
  modifiedAt: string | null;
  hasCollaborations: boolean;
}

/** A subfolder of a folder page. */
export interface ListedFolder {
  id: string;
  ownerId: string;
  hasCollaborations: boolean;
}

/** One folder page: its files and folders, and the marker of the next page (null at the end). */
export interface FolderPage {
  files: ListedFile[];
  folders: ListedFolder[];
  nextMarker: string | null;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Raw | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;

/** Every managed user of the enterprise (marker paging, 1,000 a page). */
export async function listEnterpriseUsers(
  client: BoxClient,
  signal?: AbortSignal,
): Promise<EnterpriseUser[]> {
  const users: EnterpriseUser[] = [];
  let marker: string | undefined;
  do {
    const page = await client.users.getUsers(
      {
        usemarker: true,
        limit: 1000,
        userType: 'managed',
        fields: [...USER_FIELDS],
        ...(marker && { marker }),
      },
      undefined,
      signal,
    );
    const raw = obj(page.rawData) ?? {};
    for (const entry of (raw.entries as unknown[] | undefined) ?? []) {
      const u = obj(entry);
      const id = str(u?.id);
      if (u && id) users.push({ id, login: (str(u.login) ?? '').toLowerCase(), role: str(u.role) ?? 'user' });
    }
    marker = str(raw.next_marker) || undefined;
  } while (marker);
  return users;
}

/** One page of a folder's items, read as the client's user (give it an As-User client). */
export async function listFolderPage(
  client: BoxClient,
  folderId: string,
  marker: string | null,
  pageSize: number,
  signal?: AbortSignal,
): Promise<FolderPage> {
  const page = await client.folders.getFolderItems(folderId, {
    queryParams: { usemarker: true, limit: pageSize, fields: [...ITEM_FIELDS], ...(marker && { marker }) },
    cancellationToken: signal,
  });
  const raw = obj(page.rawData) ?? {};
  const files: ListedFile[] = [];
  const folders: ListedFolder[] = [];
  for (const entry of (raw.entries as unknown[] | undefined) ?? []) {
    const item = obj(entry);
    if (item?.type === 'file') {
      const file = toListedFile(item);
      if (file) files.push(file);
    } else if (item?.type === 'folder') {
      const id = str(item.id);
      const ownerId = str(obj(item.owned_by)?.id);
      if (id && ownerId) folders.push({ id, ownerId, hasCollaborations: item.has_collaborations === true });
    }
  }
  return { files, folders, nextMarker: str(raw.next_marker) || null };
}

/** The file's current metadata (`GET /files/:id` with the listing's fields). */
export async function getListedFile(
  client: BoxClient,
  fileId: string,
  signal?: AbortSignal,
): Promise<ListedFile> {
  const file = await client.files.getFileById(fileId, {
    queryParams: { fields: [...ITEM_FIELDS] },
    cancellationToken: signal,
  });
  const listed = toListedFile(obj(file.rawData) ?? {});
  if (!listed) throw ApplicationFailure.retryable(`Box described file ${fileId} without its id or owner`);
  return listed;
}

/**
 * The collaborators of a file or folder itself (not inherited), as `login` (lower case) for users and
 * `group:<id>` for groups; a pending invitation counts by its invite email.
 */
export async function directCollaborators(
  client: BoxClient,
  item: { type: 'file' | 'folder'; id: string },
  signal?: AbortSignal,
): Promise<string[]> {
  const out = new Set<string>();
  let marker: string | undefined;
  do {
    const options = { queryParams: { limit: 1000, ...(marker && { marker }) }, cancellationToken: signal };
    const page =
      item.type === 'file'
        ? await client.listCollaborations.getFileCollaborations(item.id, options)
        : await client.listCollaborations.getFolderCollaborations(item.id, options);
    const raw = obj(page.rawData) ?? {};
    for (const entry of (raw.entries as unknown[] | undefined) ?? []) {
      const c = obj(entry);
      const who = obj(c?.accessible_by);
      if (who?.type === 'group') out.add(`group:${str(who.id) ?? ''}`);
      else {
        const login = str(who?.login) ?? str(c?.invite_email);
        if (login) out.add(login.toLowerCase());
      }
    }
    marker = str(raw.next_marker) || undefined;
  } while (marker);
  return [...out].sort();
}

/**
 * Downloads the file's current content. The SDK follows the redirect and, through the client's retry
 * strategy, waits out a 202's retry-after; if the file is still not ready it answers undefined, and this
 * tries a few more times before failing (retryable).
 */
export async function downloadContent(
  client: BoxClient,
  fileId: string,
  signal?: AbortSignal,
): Promise<Buffer> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const stream = await client.downloads.downloadFile(fileId, { cancellationToken: signal });
    if (stream) {
      const chunks: Buffer[] = [];
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>)
        chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
  }
  throw ApplicationFailure.retryable(
    `Box kept answering that file ${fileId} is not ready for download`,
    'BoxFileNotReady',
  );
}

function toListedFile(item: Raw): ListedFile | undefined {
  const id = str(item.id);
  const owner = obj(item.owned_by);
  const ownerId = str(owner?.id);
  if (!id || !ownerId) return undefined;
  const name = str(item.name) ?? '';
  const entries = ((obj(item.path_collection)?.entries as unknown[] | undefined) ?? [])
    .map(obj)
    .filter((e): e is Raw => e !== undefined && str(e.id) !== '0');
  const folderPath = '/' + entries.map((e) => str(e.name) ?? '').join('/');
  const dot = name.lastIndexOf('.');
  return {
    id,
    name,
    extension: (str(item.extension) ?? (dot > 0 ? name.slice(dot + 1) : '')).toLowerCase(),
    size: typeof item.size === 'number' ? item.size : 0,
    sha1: str(item.sha1) ?? '',
    ownerId,
    ownerLogin: (str(owner?.login) ?? '').toLowerCase(),
    folderPath,
    folderIds: entries.map((e) => str(e.id) ?? ''),
    sharedLinkAccess: str(obj(item.shared_link)?.access) ?? null,
    modifiedAt: str(item.content_modified_at) ?? str(item.modified_at) ?? null,
    hasCollaborations: item.has_collaborations === true,
  };
}
