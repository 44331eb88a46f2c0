export * from './stack-probe';
export * from './connect-box';
export * from './backfill-activities';
export * from './scan-files';
