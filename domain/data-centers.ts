/** Box data centres; each maps to its own Box app (client id) in configuration. */
export const DATA_CENTERS = ['US1', 'US2', 'US3', 'EU1', 'EU2'] as const;
/** One of DATA_CENTERS. */
export type DataCenter = (typeof DATA_CENTERS)[number];
