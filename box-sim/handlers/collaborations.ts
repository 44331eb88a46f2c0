/**
 * Collaborations of one item: GET /2.0/files/:id/collaborations and GET /2.0/folders/:id/collaborations.
 * Like Box, each lists the collaborations made on the item itself, not those inherited from its folders.
 */
import { createHash } from 'node:crypto';
import type { Collaboration } from '../enterprise';
import { boxErrors } from '../errors';
import { boxDate, fileJson, folderMini, userMini } from '../json-shapes';
import { page, type ApiContext, type Query } from './context';
import { resolveFile } from './files';

/** GET /2.0/files/:id/collaborations (marker paging, limit <= 1000). */
export function listFileCollaborations(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  const file = resolveFile(ctx, id);
  const item = fileJson(ctx.enterprise, file, ctx.actingUser.index, ctx.baseUrl, undefined, true);
  const entries = ctx.enterprise.fileCollaborations(file).map((c) => collaborationJson(ctx, c, item));
  return page(ctx, { ...query, usemarker: 'true' }, entries, 100, 1000);
}

/** GET /2.0/folders/:id/collaborations (marker paging, limit <= 1000). */
export function listFolderCollaborations(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  const folder = id === '0' ? undefined : ctx.enterprise.folderIndex(id);
  if (folder === undefined || !ctx.enterprise.canAccessFolder(ctx.actingUser.index, folder))
    throw boxErrors.notFound('folder', id);
  const item = folderMini(ctx.enterprise, folder);
  const entries = ctx.enterprise.folderCollaborations(folder).map((c) => collaborationJson(ctx, c, item));
  return page(ctx, { ...query, usemarker: 'true' }, entries, 100, 1000);
}

/** A collaboration as Box returns it, with `item` the item's mini. */
export function collaborationJson(
  ctx: ApiContext,
  c: Collaboration,
  item: Record<string, unknown>,
): Record<string, unknown> {
  const ent = ctx.enterprise;
  const user = c.userIndex === undefined ? undefined : ent.users[c.userIndex];
  // External collaborators are Box users of other enterprises: a stable numeric id from their address.
  const externalId = String(parseInt(createHash('sha1').update(c.email).digest('hex').slice(0, 10), 16));
  return {
    type: 'collaboration',
    id: c.id,
    item,
    accessible_by: user ? userMini(user) : { type: 'user', id: externalId, name: c.email, login: c.email },
    invite_email: null,
    role: c.role,
    status: 'accepted',
    created_by: userMini(ent.users[c.createdBy]!),
    created_at: boxDate(c.createdAt),
    modified_at: boxDate(c.createdAt),
  };
}
