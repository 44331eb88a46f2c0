import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';

/** Listeners that see every worker-side log entry at any level (tests that search logs for secrets). */
export const runtimeLogTaps = new Set<(entry: LogEntry) => void>();

const SHOWN: ReadonlySet<LogLevel> = new Set<LogLevel>(['WARN', 'ERROR']);
const printer = new DefaultLogger('WARN');

// Worker state chatter drowns test output: warnings and errors still show; taps see everything.
Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) => {
    for (const tap of runtimeLogTaps) tap(entry);
    if (SHOWN.has(entry.level)) printer.log(entry.level, entry.message, entry.meta);
  }),
});
