/** Webhooks v2: POST/GET/DELETE /2.0/webhooks. */
import { boxErrors } from '../errors';
import { indexOf } from '../ids';
import { boxDate, userMini } from '../json-shapes';
import type { SimWebhook, WebhookRegistry } from '../webhooks';
import { page, type ApiContext, type Query } from './context';

function webhookJson(ctx: ApiContext, hook: SimWebhook): Record<string, unknown> {
  return {
    id: hook.id,
    type: 'webhook',
    target: hook.target,
    created_by: userMini(ctx.enterprise.users[hook.createdBy]!),
    created_at: boxDate(Math.floor(hook.createdAt / 1000)),
    address: hook.address,
    triggers: hook.triggers,
  };
}

function ownHook(ctx: ApiContext, registry: WebhookRegistry, id: string): SimWebhook {
  const hook = registry.get(id);
  if (!hook || hook.clientId !== ctx.clientId || hook.createdBy !== ctx.actingUser.index)
    throw boxErrors.notFound('webhook', id);
  return hook;
}

/** POST /2.0/webhooks */
export function createWebhook(
  ctx: ApiContext,
  body: unknown,
  registry: WebhookRegistry,
): Record<string, unknown> {
  const input = (body ?? {}) as {
    target?: { id?: unknown; type?: unknown };
    address?: unknown;
    triggers?: unknown;
  };
  if (ctx.strict) {
    for (const key of Object.keys(input))
      if (!['target', 'address', 'triggers'].includes(key))
        throw boxErrors.invalidParameter(key, `box-sim strict mode: unsupported body field '${key}'`);
  }
  const target = input.target;
  if (!target || typeof target.id !== 'string' || (target.type !== 'file' && target.type !== 'folder'))
    throw boxErrors.invalidParameter('target', "target must be {id: string, type: 'file' | 'folder'}");
  if (typeof input.address !== 'string') throw boxErrors.invalidParameter('address', 'address is required');
  if (!Array.isArray(input.triggers) || input.triggers.some((t) => typeof t !== 'string'))
    throw boxErrors.invalidParameter('triggers', 'triggers must be an array of strings');
  const ent = ctx.enterprise;
  const user = ctx.actingUser.index;
  if (!(target.type === 'folder' && target.id === '0')) {
    if (target.type === 'file') {
      const file = indexOf('file', target.id, ent.totalFiles);
      if (file === undefined || ent.isDeleted(file) || !ent.canAccessFile(user, file))
        throw boxErrors.notFound('file', target.id);
    } else {
      const folder = ent.folderIndex(target.id);
      if (folder === undefined || !ent.canAccessFolder(user, folder))
        throw boxErrors.notFound('folder', target.id);
    }
  }
  const hook = registry.create({
    target: { type: target.type, id: target.id },
    address: input.address,
    triggers: input.triggers as string[],
    createdBy: user,
    clientId: ctx.clientId,
    createdAt: ctx.now(),
  });
  return webhookJson(ctx, hook);
}

/** GET /2.0/webhooks: the app's webhooks created by the caller. */
export function listWebhooks(
  ctx: ApiContext,
  query: Query,
  registry: WebhookRegistry,
): Record<string, unknown> {
  const hooks = registry
    .list(ctx.clientId, ctx.actingUser.index)
    .map((h) => ({ id: h.id, type: 'webhook', target: h.target }));
  const result = page(ctx, { ...query, usemarker: 'true' }, hooks, 100, 200);
  return {
    limit: result.limit,
    next_marker: result.next_marker,
    ...(result.prev_marker ? { prev_marker: result.prev_marker } : {}),
    entries: result.entries,
  };
}

/** GET /2.0/webhooks/:id */
export function getWebhook(ctx: ApiContext, id: string, registry: WebhookRegistry): Record<string, unknown> {
  return webhookJson(ctx, ownHook(ctx, registry, id));
}

/** DELETE /2.0/webhooks/:id */
export function deleteWebhook(ctx: ApiContext, id: string, registry: WebhookRegistry): void {
  registry.delete(ownHook(ctx, registry, id).id);
}
