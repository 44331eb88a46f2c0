/** Folders: GET /2.0/folders/:id and GET /2.0/folders/:id/items. */
import { boxErrors } from '../errors';
import { FILE_FIELDS, FOLDER_FIELDS, fileJson, folderJson, parseFields, userMini } from '../json-shapes';
import { page, queryValue, type ApiContext, type Query } from './context';

type ItemRef = { kind: 'folder' | 'file'; index: number };

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
      ...shared.files.map((index) => ({ kind: 'file' as const, index })),
    ];
  }
  return [
    ...ent.subfolders(folder).map((index) => ({ kind: 'folder' as const, index })),
    ...ent.filesIn(folder).map((index) => ({ kind: 'file' as const, index })),
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

/** GET /2.0/folders/:id/items: folders first, then files; marker or offset paging, limit <= 1000. */
export function listFolderItems(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  const folder = resolveFolder(ctx, id);
  const fields = itemFields(ctx, query);
  for (const name of ['sort', 'direction'] as const) {
    const v = queryValue(query, name);
    if (
      v !== undefined &&
      ctx.strict &&
      !(name === 'sort' ? ['id', 'name', 'date', 'size'] : ['ASC', 'DESC']).includes(v)
    )
      throw boxErrors.invalidParameter(name, `Invalid value '${v}' for ${name}`);
  }
  const result = page(ctx, query, itemsOf(ctx, folder), 100, 1000, {
    order: [
      { by: 'type', direction: 'ASC' },
      { by: 'name', direction: 'ASC' },
    ],
  });
  return { ...result, entries: (result.entries as ItemRef[]).map((ref) => itemJson(ctx, ref, fields)) };
}

/** GET /2.0/folders/:id: the folder with its first 100 items. */
export function getFolder(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  const folder = resolveFolder(ctx, id);
  const fields = parseFields(queryValue(query, 'fields'), FOLDER_FIELDS, ctx.strict);
  const items = itemsOf(ctx, folder);
  const itemCollection = {
    total_count: items.length,
    entries: items.slice(0, 100).map((ref) => itemJson(ctx, ref, undefined)),
    offset: 0,
    limit: 100,
    order: [{ by: 'type', direction: 'ASC' }],
  };
  if (folder === -1) {
    const me = userMini(ctx.actingUser);
    return {
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
      owned_by: me,
      shared_link: null,
      parent: null,
      item_status: 'active',
      item_collection: itemCollection,
    };
  }
  const base = folderJson(
    ctx.enterprise,
    folder,
    fields ?? [...FOLDER_FIELDS].filter((f) => f !== 'item_collection' && f !== 'permissions'),
  );
  return fields && !fields.includes('item_collection') ? base : { ...base, item_collection: itemCollection };
}
