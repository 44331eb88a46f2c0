/**
 * The API calls that change items: `PUT /files/:id` (shared link, move, rename), `DELETE /files/:id`
 * (trash), `POST /files/:id` (restore), `GET /files/:id/trash`, `POST /folders`, `POST /files/content`
 * (upload), `POST /collaborations` and `DELETE /collaborations/:id`. Box's permission rules: the acting
 * user (the token's, or As-User's) must see the item (else 404) and hold a role that may change it
 * (owner, co-owner or editor; else 403); putting an item into a folder needs a role that may upload
 * there. Each change is made through the user actions, so it logs the admin event and fires the webhooks
 * a user's own change would.
 */
import {
  COLLAB_ROLES,
  EDIT_ROLES,
  NO_PARENT_FOLDER,
  UPLOAD_ROLES,
  rootParent,
  type CollabRole,
  type ShareAccess,
} from '../enterprise';
import { boxErrors } from '../errors';
import { FILE_FIELDS, FOLDER_FIELDS, fileJson, folderJson, folderMini, parseFields } from '../json-shapes';
import type { UserActions } from '../user-actions';
import { collaborationJson } from './collaborations';
import { queryValue, type ApiContext, type Query } from './context';
import { resolveFile } from './files';

type Body = Record<string, unknown>;

const obj = (v: unknown): Body | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Body) : undefined;

function bodyOf(body: unknown): Body {
  if (body === undefined || body === null) return {};
  const b = obj(body);
  if (!b) throw boxErrors.badRequest('The request body must be a JSON object');
  return b;
}

function onlyFields(ctx: ApiContext, body: Body, allowed: readonly string[], where: string): void {
  if (!ctx.strict) return;
  for (const key of Object.keys(body))
    if (!allowed.includes(key))
      throw boxErrors.invalidParameter(
        `${where}${key}`,
        `box-sim strict mode: unsupported body field '${where}${key}'`,
      );
}

/** The caller's role must be one of `roles` (the caller sees the file: resolveFile ran). */
function requireFileRole(ctx: ApiContext, file: number, roles: ReadonlySet<string>): void {
  const role = ctx.enterprise.fileRoleOf(ctx.actingUser.index, file);
  if (role === undefined || !roles.has(role)) throw boxErrors.forbidden();
}

/**
 * A folder the caller may put items into: `0` is the caller's root; an unseen folder is 404, a seen
 * one without an uploading role 403. Answers a folder index or `rootParent(caller)`.
 */
function targetFolder(ctx: ApiContext, id: unknown, field: string): number {
  if (typeof id !== 'string' || id === '')
    throw boxErrors.invalidParameter(field, `${field} must be a folder ID (a string)`);
  const ent = ctx.enterprise;
  const user = ctx.actingUser.index;
  if (id === '0') return rootParent(user);
  const folder = ent.folderIndex(id);
  if (folder === undefined || !ent.canAccessFolder(user, folder)) throw boxErrors.notFound('folder', id);
  const role = ent.folderRoleOf(user, folder);
  if (role === undefined || !UPLOAD_ROLES.has(role)) throw boxErrors.forbidden();
  return folder;
}

/** `{id}` naming a folder the caller may put items into (see targetFolder); `field` names it in errors. */
function parentFolder(ctx: ApiContext, value: unknown, field: string): number {
  const parent = obj(value);
  if (!parent) throw boxErrors.invalidParameter(field, `${field} must be {id: string}`);
  onlyFields(ctx, parent, ['id'], `${field}.`);
  return targetFolder(ctx, parent.id, `${field}.id`);
}

/** Box's rules for item names: 1-255 characters, no slashes, no trailing space, not `.` or `..`. */
function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '')
    throw boxErrors.invalidParameter('name', 'name is required (a string)');
  if (
    name.length > 255 ||
    /[/\\]/.test(name) ||
    name !== name.trimEnd() ||
    name === '.' ||
    name === '..' ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f]/.test(name)
  )
    throw boxErrors.invalidName(name);
  return name;
}

function fileConflict(ctx: ApiContext, file: number): Record<string, unknown> {
  return fileJson(ctx.enterprise, file, ctx.actingUser.index, ctx.baseUrl, undefined, true);
}

function fileAnswer(ctx: ApiContext, file: number, query: Query): Record<string, unknown> {
  return fileJson(
    ctx.enterprise,
    file,
    ctx.actingUser.index,
    ctx.baseUrl,
    parseFields(queryValue(query, 'fields'), FILE_FIELDS, ctx.strict),
  );
}

const SHARED_LINK_ACCESS: readonly ShareAccess[] = ['open', 'company', 'collaborators'];
/** The access a new shared link gets when `access` is omitted: box-sim's enterprise default. */
export const DEFAULT_SHARED_LINK_ACCESS: ShareAccess = 'company';

/**
 * PUT /2.0/files/:id: `shared_link` (an object creates or updates the link: `access`, `unshared_at`;
 * `null` removes it), `parent.id` (move; 409 `item_name_in_use` when the target holds a file of that
 * name), `name` (rename; same 409). Answers the file.
 */
export function updateFile(
  ctx: ApiContext,
  id: string,
  query: Query,
  rawBody: unknown,
  actions: UserActions,
): Record<string, unknown> {
  const body = bodyOf(rawBody);
  onlyFields(ctx, body, ['shared_link', 'parent', 'name'], '');
  const file = resolveFile(ctx, id);
  const ent = ctx.enterprise;
  const actor = ctx.actingUser;
  if (Object.keys(body).length > 0) requireFileRole(ctx, file, EDIT_ROLES);
  // Everything is checked before anything changes: a refused request changes nothing.
  let name: string | undefined;
  if ('name' in body) name = checkName(body.name);
  let folder: number | undefined;
  if ('parent' in body) {
    folder = parentFolder(ctx, body.parent, 'parent');
  }
  let link: { access: ShareAccess; unsharedAt?: number | null } | undefined;
  if ('shared_link' in body) {
    if (body.shared_link === null) link = { access: 'none' };
    else {
      const given = obj(body.shared_link);
      if (!given) throw boxErrors.invalidParameter('shared_link', 'shared_link must be an object or null');
      onlyFields(ctx, given, ['access', 'unshared_at'], 'shared_link.');
      const current = ent.fileShareAccess(file);
      let access: ShareAccess = current === 'none' ? DEFAULT_SHARED_LINK_ACCESS : current;
      if (given.access !== undefined && given.access !== null) {
        if (!SHARED_LINK_ACCESS.includes(given.access as ShareAccess))
          throw boxErrors.invalidParameter(
            'shared_link.access',
            `Invalid value ${JSON.stringify(given.access)}: one of ${SHARED_LINK_ACCESS.join(', ')}`,
          );
        access = given.access as ShareAccess;
      }
      link = { access };
      if ('unshared_at' in given) {
        if (given.unshared_at === null) link.unsharedAt = null;
        else {
          const at = typeof given.unshared_at === 'string' ? Date.parse(given.unshared_at) : NaN;
          if (Number.isNaN(at))
            throw boxErrors.invalidParameter(
              'shared_link.unshared_at',
              'unshared_at must be an RFC 3339 date-time',
            );
          if (at <= ctx.now())
            throw boxErrors.invalidParameter('shared_link.unshared_at', 'unshared_at must be in the future');
          link.unsharedAt = Math.floor(at / 1000);
        }
      }
    }
  }
  const finalName = name ?? ent.fileName(file);
  const finalParent = folder ?? ent.fileParentOf(file);
  if (name !== undefined || folder !== undefined) {
    const conflict = ent.nameInUse(finalParent, finalName, 'file', file);
    if (conflict) throw boxErrors.itemNameInUse([fileConflict(ctx, conflict.index)]);
  }
  if (name !== undefined && name !== ent.fileName(file))
    actions.viaApp(ctx.clientId).renameAs(file, actor, name);
  if (folder !== undefined && folder !== ent.fileParentOf(file))
    actions.viaApp(ctx.clientId).moveAs(file, actor, folder);
  if (link) actions.viaApp(ctx.clientId).changeSharedLink(file, actor, link.access, link.unsharedAt);
  return fileAnswer(ctx, file, query);
}

/** DELETE /2.0/files/:id: to the trash (204). */
export function trashFile(ctx: ApiContext, id: string, actions: UserActions): void {
  const file = resolveFile(ctx, id);
  requireFileRole(ctx, file, EDIT_ROLES);
  actions.viaApp(ctx.clientId).trashAs(file, ctx.actingUser);
}

/** A trashed file the caller may see (404 `not_found` otherwise, also when it is not in the trash). */
function resolveTrashed(ctx: ApiContext, id: string): number {
  const ent = ctx.enterprise;
  const file = ent.fileIndex(id);
  if (file === undefined || ent.isDeleted(file) || !ent.canAccessFile(ctx.actingUser.index, file))
    throw boxErrors.notFound('file', id);
  if (!ent.isTrashed(file)) throw boxErrors.notTrashed(id);
  return file;
}

/**
 * A file as the trash endpoints answer it: Box's TrashFile / TrashFileRestored give `shared_link` as
 * null (the link is inactive in the trash; it works again once the file is restored).
 */
function trashAnswer(ctx: ApiContext, file: number, query: Query): Record<string, unknown> {
  const json = fileAnswer(ctx, file, query);
  return 'shared_link' in json ? { ...json, shared_link: null } : json;
}

/** GET /2.0/files/:id/trash: the trashed file. */
export function getTrashedFile(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  return trashAnswer(ctx, resolveTrashed(ctx, id), query);
}

/**
 * POST /2.0/files/:id: restores a trashed file (201), into `parent.id` when given (else where it was),
 * renamed to `name` when given; 409 `item_name_in_use` when that folder holds a file of that name.
 */
export function restoreFile(
  ctx: ApiContext,
  id: string,
  query: Query,
  rawBody: unknown,
  actions: UserActions,
): Record<string, unknown> {
  const body = bodyOf(rawBody);
  onlyFields(ctx, body, ['name', 'parent'], '');
  const file = resolveTrashed(ctx, id);
  requireFileRole(ctx, file, EDIT_ROLES);
  const ent = ctx.enterprise;
  let folder: number | undefined;
  if (body.parent !== undefined && body.parent !== null) {
    folder = parentFolder(ctx, body.parent, 'parent');
  }
  const name = body.name === undefined || body.name === null ? undefined : checkName(body.name);
  const conflict = ent.nameInUse(folder ?? ent.fileParentOf(file), name ?? ent.fileName(file), 'file', file);
  if (conflict) throw boxErrors.itemNameInUse([fileConflict(ctx, conflict.index)]);
  if (name !== undefined && name !== ent.fileName(file)) ent.rename(file, name);
  actions.viaApp(ctx.clientId).restoreAs(file, ctx.actingUser, folder);
  return trashAnswer(ctx, file, query);
}

/**
 * POST /2.0/folders: a new folder in `parent.id` (`0`: the caller's root); 409 `item_name_in_use` with
 * the existing folder in `context_info.conflicts` (a list, as Box gives it).
 */
export function createFolder(
  ctx: ApiContext,
  query: Query,
  rawBody: unknown,
  actions: UserActions,
): Record<string, unknown> {
  const body = bodyOf(rawBody);
  onlyFields(ctx, body, ['name', 'parent'], '');
  const fields = parseFields(queryValue(query, 'fields'), FOLDER_FIELDS, ctx.strict);
  const name = checkName(body.name);
  const folder = parentFolder(ctx, body.parent, 'parent');
  const conflict = ctx.enterprise.nameInUse(folder, name, 'folder');
  if (conflict) throw boxErrors.itemNameInUse([folderMini(ctx.enterprise, conflict.index)]);
  const made = actions
    .viaApp(ctx.clientId)
    .createFolder(ctx.actingUser, folder < 0 ? NO_PARENT_FOLDER : folder, name);
  return folderJson(
    ctx.enterprise,
    made.folder,
    fields ?? [...FOLDER_FIELDS].filter((f) => f !== 'item_collection' && f !== 'permissions'),
  );
}

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename?: string;
  data: Buffer;
}

/** Parses a multipart/form-data body (the SDK's uploads: `attributes` then `file`). */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw boxErrors.badRequest('multipart/form-data without a boundary');
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(boundary);
  while (at >= 0) {
    const start = at + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(boundary, start);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, data, CRLF, boundary.
    const chunk = body.subarray(start + 2, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    if (split < 0) throw boxErrors.badRequest('malformed multipart part');
    const headers = chunk.subarray(0, split).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined)
      parts.push({ name, ...(filename !== undefined && { filename }), data: chunk.subarray(split + 4) });
    at = next;
  }
  return parts;
}

/**
 * POST {uploadUrl}/2.0/files/content: a new file from the multipart body (`attributes` JSON with `name`
 * and `parent.id`, before the `file` part, as Box requires). 201 `{total_count: 1, entries: [file]}`;
 * 409 `item_name_in_use` with the existing file in `context_info.conflicts` (an object, as Box gives it).
 */
export function uploadFile(
  ctx: ApiContext,
  query: Query,
  parts: FormPart[],
  actions: UserActions,
): Record<string, unknown> {
  const attributesAt = parts.findIndex((p) => p.name === 'attributes');
  const fileAt = parts.findIndex((p) => p.name === 'file');
  if (attributesAt < 0) throw boxErrors.invalidParameter('attributes', 'the attributes part is required');
  if (fileAt < 0) throw boxErrors.invalidParameter('file', 'the file part is required');
  if (fileAt < attributesAt) throw boxErrors.metadataAfterFileContents();
  let attributes: Body;
  try {
    attributes = bodyOf(JSON.parse(parts[attributesAt]!.data.toString('utf8')));
  } catch (err) {
    if (err instanceof SyntaxError) throw boxErrors.invalidJson();
    throw err;
  }
  onlyFields(ctx, attributes, ['name', 'parent', 'content_created_at', 'content_modified_at'], 'attributes.');
  const name = checkName(attributes.name);
  const folder = parentFolder(ctx, attributes.parent, 'attributes.parent');
  const conflict = ctx.enterprise.nameInUse(folder, name, 'file');
  if (conflict) throw boxErrors.itemNameInUse(fileConflict(ctx, conflict.index));
  const made = actions.viaApp(ctx.clientId).uploadAs(ctx.actingUser, folder, name, parts[fileAt]!.data);
  return { total_count: 1, entries: [fileAnswer(ctx, made.file, query)] };
}

/**
 * POST /2.0/collaborations: invites a user (`accessible_by.id` of an enterprise user, or `login` of
 * anyone) on a file or folder with a role. 400 `user_already_collaborator` when there already is one.
 * `fields` and `notify` are accepted and ignored (the full collaboration is answered, no e-mail sent).
 */
export function createCollaboration(
  ctx: ApiContext,
  rawBody: unknown,
  actions: UserActions,
): Record<string, unknown> {
  const body = bodyOf(rawBody);
  onlyFields(ctx, body, ['item', 'accessible_by', 'role'], '');
  const ent = ctx.enterprise;
  const item = obj(body.item);
  if (!item || (item.type !== 'file' && item.type !== 'folder') || typeof item.id !== 'string')
    throw boxErrors.invalidParameter('item', "item must be {type: 'file' | 'folder', id: string}");
  const who = obj(body.accessible_by);
  if (!who || who.type !== 'user')
    throw boxErrors.invalidParameter(
      'accessible_by',
      "box-sim: accessible_by must be {type: 'user', id or login} (groups are not simulated)",
    );
  onlyFields(ctx, who, ['type', 'id', 'login'], 'accessible_by.');
  if (!(COLLAB_ROLES as readonly string[]).includes(body.role as string))
    throw boxErrors.invalidParameter('role', `role must be one of ${COLLAB_ROLES.join(', ')}`);
  const role = body.role as CollabRole;
  let email: string;
  if (typeof who.id === 'string' && who.id !== '') {
    const user = ent.userById(who.id);
    if (!user) throw boxErrors.notFound('user', who.id);
    email = user.login;
  } else if (typeof who.login === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(who.login)) email = who.login;
  else
    throw boxErrors.invalidParameter(
      'accessible_by',
      'accessible_by needs an id or a login (an e-mail address)',
    );
  const user = ctx.actingUser;
  let target: { kind: 'file' | 'folder'; index: number };
  let ownerLogin: string;
  if (item.type === 'file') {
    const file = resolveFile(ctx, item.id);
    requireFileRole(ctx, file, EDIT_ROLES);
    target = { kind: 'file', index: file };
    ownerLogin = ent.users[ent.fileOwner(file)]!.login;
  } else {
    const folder = item.id === '0' ? undefined : ent.folderIndex(item.id);
    if (folder === undefined || !ent.canAccessFolder(user.index, folder))
      throw boxErrors.notFound('folder', item.id);
    const callerRole = ent.folderRoleOf(user.index, folder);
    if (callerRole === undefined || !EDIT_ROLES.has(callerRole)) throw boxErrors.forbidden();
    target = { kind: 'folder', index: folder };
    ownerLogin = ent.users[ent.folderOwnerOf(folder)]!.login;
  }
  if (ownerLogin.toLowerCase() === email.toLowerCase())
    throw boxErrors.badRequest(`${email} owns the item and cannot be invited to it`);
  const made = actions.viaApp(ctx.clientId).addCollaboration(target, user, email, role);
  const found = ent.collaborationById(made.collaborationId)!;
  const itemJson =
    target.kind === 'file'
      ? fileJson(ent, target.index, user.index, ctx.baseUrl, undefined, true)
      : folderMini(ent, target.index);
  return collaborationJson(ctx, found.collab, itemJson);
}

/**
 * DELETE /2.0/collaborations/:id (204): by a user who may change the item (owner, co-owner, editor), or
 * by the collaborator leaving. 404 when there is no such collaboration or the caller cannot see its item.
 */
export function deleteCollaboration(ctx: ApiContext, id: string, actions: UserActions): void {
  const ent = ctx.enterprise;
  const found = ent.collaborationById(id);
  const user = ctx.actingUser.index;
  if (!found) throw boxErrors.notFound('item', id);
  const { kind, index, collab } = found;
  const role =
    kind === 'file'
      ? ent.isDeleted(index) || ent.isTrashed(index)
        ? undefined
        : ent.fileRoleOf(user, index)
      : ent.folderRoleOf(user, index);
  if (role === undefined) throw boxErrors.notFound('item', id);
  if (!EDIT_ROLES.has(role) && collab.userIndex !== user) throw boxErrors.forbidden();
  actions.viaApp(ctx.clientId).removeCollaborationById(id, ctx.actingUser);
}
