/** Box's JSON representations of users, files and folders, with `fields=` selection. */
import type { Collaboration, Enterprise, SimUser } from './enterprise';
import { boxErrors } from './errors';
import { idOf } from './ids';

/** Formats epoch seconds the way Box does (`2026-01-02T03:04:05-00:00` style, here +00:00). */
export function boxDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

type Json = Record<string, unknown>;

const USER_DEFAULT_FIELDS = [
  'type',
  'id',
  'name',
  'login',
  'created_at',
  'modified_at',
  'language',
  'timezone',
  'space_amount',
  'space_used',
  'max_upload_size',
  'status',
  'job_title',
  'phone',
  'address',
  'avatar_url',
  'notification_email',
];
const USER_EXTRA_FIELDS = [
  'role',
  'enterprise',
  'is_platform_access_only',
  'can_see_managed_users',
  'is_external_collab_restricted',
  'is_sync_enabled',
  'tracking_codes',
  'hostname',
];
/** Fields `fields=` may ask for on users. */
export const USER_FIELDS = new Set([...USER_DEFAULT_FIELDS, ...USER_EXTRA_FIELDS]);

const FILE_DEFAULT_FIELDS = [
  'type',
  'id',
  'etag',
  'sequence_id',
  'name',
  'sha1',
  'file_version',
  'description',
  'size',
  'path_collection',
  'created_at',
  'modified_at',
  'trashed_at',
  'purged_at',
  'content_created_at',
  'content_modified_at',
  'created_by',
  'modified_by',
  'owned_by',
  'shared_link',
  'parent',
  'item_status',
];
const FILE_EXTRA_FIELDS = [
  'extension',
  'has_collaborations',
  'is_externally_owned',
  'permissions',
  'version_number',
  'comment_count',
  'allowed_invitee_roles',
];
/** Fields `fields=` may ask for on files. */
export const FILE_FIELDS = new Set([...FILE_DEFAULT_FIELDS, ...FILE_EXTRA_FIELDS]);
const FOLDER_DEFAULT_FIELDS = [
  'type',
  'id',
  'etag',
  'sequence_id',
  'name',
  'created_at',
  'modified_at',
  'description',
  'size',
  'path_collection',
  'created_by',
  'modified_by',
  'trashed_at',
  'purged_at',
  'content_created_at',
  'content_modified_at',
  'owned_by',
  'shared_link',
  'folder_upload_email',
  'parent',
  'item_status',
];
/** Fields `fields=` may ask for on folders (in listings). */
export const FOLDER_FIELDS = new Set([
  ...FOLDER_DEFAULT_FIELDS,
  'has_collaborations',
  'is_externally_owned',
  'permissions',
  'item_collection',
]);

/** Parses `fields=`; in strict mode, rejects names the simulator does not produce. */
export function parseFields(
  raw: string | undefined,
  allowed: ReadonlySet<string>,
  strict: boolean,
): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (strict)
    for (const f of fields)
      if (!allowed.has(f))
        throw boxErrors.invalidParameter('fields', `box-sim strict mode: field '${f}' is not supported`);
  return fields;
}

function select(
  full: Json,
  fields: readonly string[] | undefined,
  defaults: readonly string[],
  always: readonly string[],
): Json {
  const wanted = fields ? [...always, ...fields] : defaults;
  const out: Json = {};
  for (const f of wanted) if (f in full) out[f] = full[f];
  return out;
}

/** `{type:'user', id, name, login}`. */
export function userMini(user: SimUser): Json {
  return { type: 'user', id: user.id, name: user.name, login: user.login };
}

/** A full user, restricted to `fields` when given. */
export function userJson(ent: Enterprise, user: SimUser, fields?: readonly string[]): Json {
  const full: Json = {
    type: 'user',
    id: user.id,
    name: user.name,
    login: user.login,
    created_at: boxDate(user.createdAt),
    modified_at: boxDate(user.createdAt + 86_400),
    language: 'en',
    timezone: 'America/Los_Angeles',
    space_amount: 999999999999999,
    space_used: 0,
    max_upload_size: 53687091200,
    status: 'active',
    job_title: user.role === 'admin' ? 'IT Administrator' : '',
    phone: '',
    address: '',
    avatar_url: '',
    notification_email: null,
    role: user.role,
    enterprise: user.inEnterprise
      ? { type: 'enterprise', id: ent.enterpriseId, name: ent.enterpriseName }
      : null,
    is_platform_access_only: false,
    can_see_managed_users: user.role !== 'user',
    is_external_collab_restricted: false,
    is_sync_enabled: true,
    tracking_codes: [],
    hostname: '',
  };
  return select(full, fields, USER_DEFAULT_FIELDS, ['type', 'id']);
}

/** The mini of folder `0` as a parent or path entry (Box: `sequence_id` and `etag` null). */
const ROOT_MINI: Json = { type: 'folder', id: '0', sequence_id: null, etag: null, name: 'All Files' };

/** The mini of a parent: a folder's, or folder `0` for a negative parent (a user's root folder). */
export function parentMini(ent: Enterprise, parent: number): Json {
  return parent < 0 ? { ...ROOT_MINI } : folderMini(ent, parent);
}

function pathCollection(ent: Enterprise, folders: number[]): Json {
  const entries = [{ ...ROOT_MINI }, ...folders.map((f) => folderMini(ent, f))];
  return { total_count: entries.length, entries };
}

/** `{type:'folder', id, sequence_id, etag, name}`. */
export function folderMini(ent: Enterprise, folder: number): Json {
  return {
    type: 'folder',
    id: idOf('folder', folder),
    sequence_id: '0',
    etag: '0',
    name: ent.folderName(folder),
  };
}

/** The shared link object of a file, or null. */
export function sharedLinkJson(ent: Enterprise, file: number, baseUrl: string): Json | null {
  const access = ent.fileShareAccess(file);
  if (access === 'none') return null;
  const token = idOf('file', file).slice(-8) + 'sl' + (file % 997);
  const counters = ent.shareCountersOf(file);
  return {
    url: `${baseUrl}/s/${token}`,
    download_url: `${baseUrl}/shared/static/${token}.${ent.fileExtension(file)}`,
    vanity_url: null,
    vanity_name: null,
    access,
    effective_access: access,
    effective_permission: 'can_download',
    unshared_at: ent.shareExpiryOf(file) === null ? null : boxDate(ent.shareExpiryOf(file)!),
    is_password_enabled: false,
    permissions: { can_download: true, can_preview: true, can_edit: false },
    download_count: counters.downloads,
    preview_count: counters.previews,
  };
}

/** A file, restricted to `fields` when given; `viewer` decides permissions. */
export function fileJson(
  ent: Enterprise,
  file: number,
  viewer: number,
  baseUrl: string,
  fields?: readonly string[],
  mini = false,
): Json {
  const owner = ent.users[ent.fileOwner(file)]!;
  const version = ent.fileVersionOf(file);
  const sha1 = ent.fileSha1Of(file);
  const isOwner = owner.index === viewer;
  const collabs: Collaboration[] = ent.effectiveCollaborations(file);
  const created = ent.fileCreatedAt(file);
  const modified = ent.fileModifiedAtOf(file);
  const full: Json = {
    type: 'file',
    id: idOf('file', file),
    etag: String(version),
    sequence_id: String(version),
    name: ent.fileName(file),
    sha1,
    file_version: { type: 'file_version', id: idOf('fileVersion', file * 1000 + version), sha1 },
    description: '',
    size: ent.fileSizeOf(file),
    path_collection: pathCollection(ent, ent.folderChain(ent.fileParentOf(file))),
    created_at: boxDate(created),
    modified_at: boxDate(modified),
    trashed_at: null,
    purged_at: null,
    content_created_at: boxDate(created),
    content_modified_at: boxDate(modified),
    created_by: userMini(owner),
    modified_by: userMini(owner),
    owned_by: userMini(owner),
    shared_link: sharedLinkJson(ent, file, baseUrl),
    parent: parentMini(ent, ent.fileParentOf(file)),
    item_status: ent.isTrashed(file) ? 'trashed' : 'active',
    extension: ent.fileExtension(file),
    has_collaborations: collabs.length > 0,
    is_externally_owned: !owner.inEnterprise,
    version_number: String(version + 1),
    comment_count: 0,
    allowed_invitee_roles: [
      'editor',
      'viewer',
      'previewer',
      'uploader',
      'previewer uploader',
      'viewer uploader',
      'co-owner',
    ],
    permissions: {
      can_download: true,
      can_preview: true,
      can_upload: true,
      can_comment: true,
      can_rename: isOwner,
      can_delete: isOwner,
      can_share: true,
      can_set_share_access: isOwner,
      can_invite_collaborator: isOwner,
      can_annotate: true,
      can_view_annotations_all: true,
      can_view_annotations_self: true,
    },
  };
  if (ent.isTrashed(file)) full.trashed_at = boxDate(modified);
  const miniFields = ['type', 'id', 'sequence_id', 'etag', 'sha1', 'file_version', 'name'];
  return select(full, fields, mini ? miniFields : FILE_DEFAULT_FIELDS, ['type', 'id', 'etag']);
}

/** A folder as it appears in a listing (mini by default), restricted to `fields` when given. */
export function folderJson(ent: Enterprise, folder: number, fields?: readonly string[]): Json {
  const owner = ent.users[ent.folderOwnerOf(folder)]!;
  const chain = ent.folderChain(folder);
  const parent = ent.folderParentOf(folder);
  const created = ent.folderCreatedAtOf(folder);
  const full: Json = {
    ...folderMini(ent, folder),
    created_at: boxDate(created),
    modified_at: boxDate(created),
    description: '',
    size: 0,
    path_collection: pathCollection(ent, chain.slice(0, -1)),
    created_by: userMini(owner),
    modified_by: userMini(owner),
    trashed_at: null,
    purged_at: null,
    content_created_at: boxDate(created),
    content_modified_at: boxDate(created),
    owned_by: userMini(owner),
    shared_link: null,
    folder_upload_email: null,
    parent: parentMini(ent, parent),
    item_status: 'active',
    has_collaborations: chain.some((f) => ent.folderCollaborations(f).length > 0),
    is_externally_owned: false,
  };
  return select(full, fields, ['type', 'id', 'sequence_id', 'etag', 'name'], ['type', 'id', 'etag']);
}

/** The fields of folder `0` when `fields` is not given (the root has no trash or content dates). */
const ROOT_DEFAULT_FIELDS = [
  'type',
  'id',
  'sequence_id',
  'etag',
  'name',
  'created_at',
  'modified_at',
  'description',
  'size',
  'path_collection',
  'created_by',
  'modified_by',
  'owned_by',
  'shared_link',
  'parent',
  'item_status',
];

/** The caller's root folder (`0`, "All Files"), restricted to `fields` when given, like any folder. */
export function rootFolderJson(user: SimUser, fields?: readonly string[]): Json {
  const me = userMini(user);
  const full: Json = {
    type: 'folder',
    id: '0',
    sequence_id: null,
    etag: null,
    name: 'All Files',
    created_at: null,
    modified_at: null,
    description: '',
    size: 0,
    path_collection: { total_count: 0, entries: [] },
    created_by: { type: 'user', id: '', name: '', login: '' },
    modified_by: me,
    trashed_at: null,
    purged_at: null,
    content_created_at: null,
    content_modified_at: null,
    owned_by: me,
    shared_link: null,
    folder_upload_email: null,
    parent: null,
    item_status: 'active',
    has_collaborations: false,
    is_externally_owned: false,
  };
  return select(full, fields, ROOT_DEFAULT_FIELDS, ['type', 'id', 'etag']);
}
