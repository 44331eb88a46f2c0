/**
 * The worker process's Temporal SDK Runtime, installed once, before any connection:
 * - its logger writes to the worker's pino logger, and the Rust core's own lines are forwarded to it
 *   (instead of raw text on stderr), so the worker's log holds JSON lines only;
 * - its metrics go to a Prometheus exporter on loopback, whose text the worker's own /metrics serves
 *   (telemetry/metrics-server.ts), so one scrape target per worker carries the product's series and the
 *   SDK's (`temporal_*`).
 */
import { createServer } from 'node:net';
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

/** What installWorkerRuntime set up. */
export interface WorkerRuntime {
  /** The SDK exporter's metrics URL on loopback. */
  sdkMetricsUrl: string;
}

type CoreLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * The level of the core's lines forwarded for a LOG_LEVEL: core's DEBUG is a flood of every poll, so
 * LOG_LEVEL=debug shows core's INFO; info and warn show its warnings; error its errors.
 */
export function coreLogLevel(level: Config['logLevel']): CoreLevel {
  return ({ debug: 'INFO', info: 'WARN', warn: 'WARN', error: 'ERROR' } as const)[level];
}

/**
 * The Runtime options for the worker: the pino-backed logger, core logs forwarded to it, and the SDK's
 * Prometheus exporter on `metricsBindAddress` (none when not given).
 */
export function workerRuntimeOptions(
  config: Pick<Config, 'logLevel'>,
  options: WorkerRuntimeOptions & { metricsBindAddress?: string } = {},
) {
  const pino = options.logger ?? createLogger('worker', undefined, config.logLevel);
  const core = coreLogLevel(config.logLevel);
  return {
    logger: new PinoSdkLogger(pino),
    telemetryOptions: {
      logging: { filter: { core, other: 'ERROR' }, forward: {} },
      ...(options.metricsBindAddress && {
        metrics: {
          // Prometheus conventions: counters end in _total, durations in seconds.
          prometheus: {
            bindAddress: options.metricsBindAddress,
            countersTotalSuffix: true,
            useSecondsForDurations: true,
          },
        },
      }),
    },
  } satisfies RuntimeOptions;
}

/**
 * Installs the worker's Runtime (once per process: a second call throws, as Runtime.install does), with
 * the SDK's exporter on 127.0.0.1:WORKER_SDK_METRICS_PORT (0: a free port).
 */
export async function installWorkerRuntime(
  config: Pick<Config, 'logLevel' | 'workerMetrics'>,
  options: WorkerRuntimeOptions = {},
): Promise<WorkerRuntime> {
  const port = config.workerMetrics.sdkPort || (await freeLoopbackPort());
  const metricsBindAddress = `127.0.0.1:${port}`;
  Runtime.install(workerRuntimeOptions(config, { ...options, metricsBindAddress }));
  return { sdkMetricsUrl: `http://${metricsBindAddress}/metrics` };
}

/** A port the OS reports free on loopback now (the SDK takes an address, not a listening socket). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
