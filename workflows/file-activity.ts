/** How an activity on a file affects scanning (DESIGN: which activity moves a file to the front). */
export const ACTIVITY_KINDS = ['content', 'sharing', 'metadata', 'view', 'delete'] as const;
/** One of ACTIVITY_KINDS. */
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** Kinds that move a file to the front of the scan queue. */
export const PRIORITY_KINDS: readonly ActivityKind[] = ['content', 'sharing', 'metadata'];

/** One activity on one file, from a webhook delivery or the enterprise event log. */
export interface FileActivity {
  fileId: string;
  ownerId?: string;
  kind: ActivityKind;
  eventType: string;
  occurredAt: string;
  source: 'webhook' | 'event-log';
}
