/**
 * Box user activity on files ("events" everywhere in connect-box; "activity" means Temporal activities):
 * the kinds an event can be, the table of Box webhook triggers and admin_logs event types by kind (which
 * event moves a file to the front of the scan queue, see docs/architecture.md), and one event as the
 * workflows pass it around. Pure data: workflows, activities, the store and the API all import it.
 */

/** How an event on a file affects scanning. */
export const EVENT_KINDS = ['content', 'sharing', 'metadata', 'view', 'delete'] as const;
/** One of EVENT_KINDS. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** Kinds that move a file to the front of the scan queue. */
export const PRIORITY_KINDS: readonly EventKind[] = ['content', 'sharing', 'metadata'];

/**
 * Where an event came from: a webhook delivery, the backfill's read of the enterprise event log
 * (admin_logs), the live enterprise event stream (admin_logs_streaming), or a governance action of
 * connect-box itself (it asks for the rescan of the file it acted on).
 */
export const EVENT_SOURCES = ['webhook', 'event-log', 'event-stream', 'governance'] as const;

/**
 * One event on one file, from a webhook delivery or the enterprise event log. Its field names travel in
 * workflow history (`fileActivity` and `prioritize` signals): never rename them.
 */
export interface FileEvent {
  fileId: string;
  ownerId?: string;
  kind: EventKind;
  eventType: string;
  occurredAt: string;
  source: (typeof EVENT_SOURCES)[number];
}

/**
 * Box webhook triggers and admin_logs event types by kind. Types outside the table (LOGIN, folder-only
 * events, ...) have no kind: they are recorded in the event log and do not touch the scan.
 */
export const EVENT_TYPES_BY_KIND: Readonly<Record<EventKind, readonly string[]>> = {
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

const KIND_BY_TYPE: ReadonlyMap<string, EventKind> = new Map(
  Object.entries(EVENT_TYPES_BY_KIND).flatMap(([kind, types]) =>
    types.map((t) => [t, kind as EventKind] as const),
  ),
);

/** Every event type and webhook trigger that has a kind (for documentation and tests). */
export const TYPES_WITH_KIND: readonly string[] = [...KIND_BY_TYPE.keys()];

/** The kind of an admin_logs event type or a webhook trigger (exact, case-sensitive as Box spells them). */
export function kindOfEventType(type: string): EventKind | undefined {
  return KIND_BY_TYPE.get(type);
}
