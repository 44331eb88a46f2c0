import type { ActivityKind } from '../workflows/file-activity';

/**
 * DESIGN's table "which activity moves a file to the front of the scan queue": Box webhook triggers and
 * admin_logs event types by the kind of activity they are. Types outside the table (LOGIN, folder-only
 * events, ...) have no kind: they are recorded in the activity log and do not touch the scan.
 */
const KINDS: Record<ActivityKind, readonly string[]> = {
  content: ['FILE.UPLOADED', 'FILE.RESTORED', 'UPLOAD', 'EDIT', 'ITEM_MODIFY', 'UNDELETE'],
  sharing: [
    'SHARED_LINK.CREATED',
    'SHARED_LINK.UPDATED',
    'SHARED_LINK.DELETED',
    'COLLABORATION.CREATED',
    'COLLABORATION.UPDATED',
    'COLLABORATION.REMOVED',
    'SHARE',
    'ITEM_SHARED_UPDATE',
    'UNSHARE',
    'COLLABORATION_INVITE',
    'COLLABORATION_ROLE_CHANGE',
    'COLLABORATION_REMOVE',
  ],
  metadata: ['FILE.RENAMED', 'FILE.MOVED', 'FILE.COPIED', 'RENAME', 'MOVE', 'COPY'],
  view: ['FILE.PREVIEWED', 'FILE.DOWNLOADED', 'PREVIEW', 'ITEM_OPEN', 'CONTENT_ACCESS', 'DOWNLOAD'],
  delete: ['FILE.TRASHED', 'FILE.DELETED', 'DELETE'],
};

const KIND_BY_TYPE: ReadonlyMap<string, ActivityKind> = new Map(
  Object.entries(KINDS).flatMap(([kind, types]) => types.map((t) => [t, kind as ActivityKind] as const)),
);

/** Every event type and webhook trigger that has a kind (for documentation and tests). */
export const TYPES_WITH_KIND: readonly string[] = [...KIND_BY_TYPE.keys()];

/** The kind of an admin_logs event type or a webhook trigger (exact, case-sensitive as Box spells them). */
export function kindOfEventType(type: string): ActivityKind | undefined {
  return KIND_BY_TYPE.get(type);
}
