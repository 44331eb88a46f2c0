/** Task queues shared by workers and clients. */
export const TASK_QUEUES = {
  /** connectBox, backfill and scan workflows and their control activities. */
  main: 'connect-box',
  /** Bulk scan work (folder pages, inspections). */
  scan: 'connect-box-scan',
  /** Priority rescans of files with fresh events: own queue, own worker slots. */
  priority: 'connect-box-priority',
} as const;
