/** Folders: GET /2.0/folders/:id and GET /2.0/folders/:id/items. */
import { rootParent } from '../enterprise';
import { boxErrors } from '../errors';
import {
  FILE_FIELDS,
  FOLDER_FIELDS,
  fileJson,
  folderJson,
  parseFields,
  rootFolderJson,
} from '../json-shapes';
import { page, parseLimit, parseOffset, queryValue, type ApiContext, type Query } from './context';

type ItemRef = { kind: 'folder' | 'file'; index: number };

/** What `sort` may name (Box: the second key; items are always sorted by type first). */
export const SORT_KEYS = ['id', 'name', 'date', 'size'] as const;
/** One sort key. */
export type SortKey = (typeof SORT_KEYS)[number];
/** What `direction` may say. */
export const SORT_DIRECTIONS = ['ASC', 'DESC'] as const;
/** One direction. */
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

interface ItemOrder {
  readonly by: SortKey;
  readonly direction: SortDirection;
}

function resolveFolder(ctx: ApiContext, id: string): number {
  if (id === '0') return -1;
  const folder = ctx.enterprise.folderIndex(id);
  if (folder === undefined || !ctx.enterprise.canAccessFolder(ctx.actingUser.index, folder))
    throw boxErrors.notFound('folder', id);
  return folder;
}

function itemsOf(ctx: ApiContext, folder: number): ItemRef[] {
  const ent = ctx.enterprise;
  const user = ctx.actingUser.index;
  if (folder === -1) {
    const shared = ent.sharedWithUser(user);
    return [
      ...ent.subfolders(-1, user).map((index) => ({ kind: 'folder' as const, index })),
      ...shared.folders.map((index) => ({ kind: 'folder' as const, index })),
      ...[...ent.filesIn(rootParent(user)), ...shared.files]
        .sort((a, b) => a - b)
        .map((index) => ({ kind: 'file' as const, index })),
    ];
  }
  return [
    ...ent.subfolders(folder).map((index) => ({ kind: 'folder' as const, index })),
    ...ent.filesIn(folder).map((index) => ({ kind: 'file' as const, index })),
  ];
}

/**
 * Reads `sort` and `direction`. Without either, items come by ID (creation order); `direction` alone
 * orders by ID too. An unknown value is 400 in strict mode and ignored otherwise, like Box.
 */
function parseOrder(ctx: ApiContext, query: Query): ItemOrder {
  const read = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const v = queryValue(query, name);
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    if (ctx.strict)
      throw boxErrors.invalidParameter(
        name,
        `Invalid value '${v}' for ${name}: one of ${allowed.join(', ')}`,
      );
    return undefined;
  };
  return { by: read('sort', SORT_KEYS) ?? 'id', direction: read('direction', SORT_DIRECTIONS) ?? 'ASC' };
}

/** Folders before files; within each, by the key (ties by ID) in the direction asked. */
function sortItems(ctx: ApiContext, items: readonly ItemRef[], order: ItemOrder): ItemRef[] {
  const ent = ctx.enterprise;
  const sign = order.direction === 'ASC' ? 1 : -1;
  const key = (ref: ItemRef): number | string => {
    const folder = ref.kind === 'folder';
    switch (order.by) {
      case 'id':
        return ref.index;
      case 'name':
        return (folder ? ent.folderName(ref.index) : ent.fileName(ref.index)).toLowerCase();
      case 'date':
        return folder ? ent.folderCreatedAtOf(ref.index) : ent.fileModifiedAtOf(ref.index);
      case 'size':
        // Folders report size 0 (box-sim does not total them).
        return folder ? 0 : ent.fileSizeOf(ref.index);
    }
  };
  const keyed = items.map((ref) => ({ ref, key: key(ref) }));
  keyed.sort((a, b) => {
    if (a.ref.kind !== b.ref.kind) return a.ref.kind === 'folder' ? -1 : 1;
    const byKey = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return sign * (byKey !== 0 ? byKey : a.ref.index - b.ref.index);
  });
  return keyed.map((k) => k.ref);
}

/** The `order` Box reports with a listing. */
function orderJson(order: ItemOrder): Array<{ by: string; direction: SortDirection }> {
  return [
    { by: 'type', direction: 'ASC' },
    { by: order.by, direction: order.direction },
  ];
}

function itemFields(ctx: ApiContext, query: Query): string[] | undefined {
  const all = new Set([...FILE_FIELDS, ...FOLDER_FIELDS]);
  return parseFields(queryValue(query, 'fields'), all, ctx.strict);
}

function itemJson(ctx: ApiContext, ref: ItemRef, fields: string[] | undefined): Record<string, unknown> {
  return ref.kind === 'folder'
    ? folderJson(ctx.enterprise, ref.index, fields)
    : fileJson(ctx.enterprise, ref.index, ctx.actingUser.index, ctx.baseUrl, fields, true);
}

/** GET /2.0/folders/:id/items: folders first, then files, sorted; marker or offset paging, limit <= 1000. */
export function listFolderItems(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  const folder = resolveFolder(ctx, id);
  const fields = itemFields(ctx, query);
  const order = parseOrder(ctx, query);
  const marker = queryValue(query, 'usemarker') === 'true' || queryValue(query, 'marker') !== undefined;
  // Box: sort is not supported with marker paging on the root folder.
  if (folder === -1 && marker && queryValue(query, 'sort') !== undefined && ctx.strict)
    throw boxErrors.invalidParameter(
      'sort',
      'box-sim strict mode: sort is not supported with marker-based paging on folder 0 (as in Box)',
    );
  const result = page(ctx, query, sortItems(ctx, itemsOf(ctx, folder), order), 100, 1000, {
    order: orderJson(order),
  });
  return { ...result, entries: (result.entries as ItemRef[]).map((ref) => itemJson(ctx, ref, fields)) };
}

/**
 * GET /2.0/folders/:id: the folder and its `item_collection` (mini items; `offset`, `limit` <= 1000,
 * default 100, `sort` and `direction` applied), restricted to `fields` when given, root included.
 */
export function getFolder(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  const folder = resolveFolder(ctx, id);
  const fields = parseFields(queryValue(query, 'fields'), FOLDER_FIELDS, ctx.strict);
  const order = parseOrder(ctx, query);
  const limit = parseLimit(ctx, query, 100, 1000);
  const offset = parseOffset(query);
  const items = sortItems(ctx, itemsOf(ctx, folder), order);
  const itemCollection = {
    total_count: items.length,
    entries: items.slice(offset, offset + limit).map((ref) => itemJson(ctx, ref, undefined)),
    offset,
    limit,
    order: orderJson(order),
  };
  const base =
    folder === -1
      ? rootFolderJson(ctx.actingUser, fields)
      : folderJson(
          ctx.enterprise,
          folder,
          fields ?? [...FOLDER_FIELDS].filter((f) => f !== 'item_collection' && f !== 'permissions'),
        );
  return fields && !fields.includes('item_collection') ? base : { ...base, item_collection: itemCollection };
}
