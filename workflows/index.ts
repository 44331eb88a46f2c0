export * from './stack-probe';
export * from './connect-box';
export * from './import-event-log';
export * from './scan-files';
export * from './enterprise-events';
export * from './governance-action';
