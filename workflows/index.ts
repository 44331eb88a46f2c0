export * from './stack-probe';
