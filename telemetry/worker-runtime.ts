/**
 * The worker process's Temporal SDK Runtime, installed once, before any connection: its logger writes to
 * the worker's pino logger, and the Rust core's own lines are forwarded to it (instead of raw text on
 * stderr), so the worker's log holds JSON lines only.
 */
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from '../config/config';
import { createLogger } from './logger';
import { PinoSdkLogger } from './sdk-logger';

/** What installWorkerRuntime takes besides the configuration. */
export interface WorkerRuntimeOptions {
  /** Where the SDK's lines go (default: the `worker` component logger at LOG_LEVEL). */
  logger?: PinoLogger;
}

type CoreLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * The level of the core's lines forwarded for a LOG_LEVEL: core's DEBUG is a flood of every poll, so
 * LOG_LEVEL=debug shows core's INFO; info and warn show its warnings; error its errors.
 */
export function coreLogLevel(level: Config['logLevel']): CoreLevel {
  return ({ debug: 'INFO', info: 'WARN', warn: 'WARN', error: 'ERROR' } as const)[level];
}

/** The Runtime options for the worker: the pino-backed logger and core logs forwarded to it. */
export function workerRuntimeOptions(config: Pick<Config, 'logLevel'>, options: WorkerRuntimeOptions = {}) {
  const pino = options.logger ?? createLogger('worker', undefined, config.logLevel);
  const core = coreLogLevel(config.logLevel);
  return {
    logger: new PinoSdkLogger(pino),
    telemetryOptions: {
      logging: { filter: { core, other: 'ERROR' }, forward: {} },
    },
  } satisfies RuntimeOptions;
}

/** Installs the worker's Runtime (once per process: a second call throws, as Runtime.install does). */
export function installWorkerRuntime(
  config: Pick<Config, 'logLevel'>,
  options: WorkerRuntimeOptions = {},
): Runtime {
  return Runtime.install(workerRuntimeOptions(config, options));
}
