/**
 * The Temporal SDK Runtime of a worker process, installed once before any connection: its metrics go to a
 * Prometheus exporter on loopback, whose text the worker's own /metrics serves (telemetry/metrics-server.ts),
 * so one scrape target per worker carries the product's series and the SDK's (`temporal_*`).
 */
import { createServer } from 'node:net';
import { Runtime, type Logger } from '@temporalio/worker';
import type { Config } from '../config/config';

/** Extra parts of the Runtime (the SDK's logger goes here). */
export interface WorkerRuntimeOptions {
  logger?: Logger;
}

/** What installWorkerRuntime set up. */
export interface WorkerRuntime {
  /** The SDK exporter's metrics URL on loopback. */
  sdkMetricsUrl: string;
}

/** Installs the Runtime with the SDK's Prometheus exporter on 127.0.0.1 (WORKER_SDK_METRICS_PORT; 0: a free port). */
export async function installWorkerRuntime(
  config: Pick<Config, 'workerMetrics'>,
  options: WorkerRuntimeOptions = {},
): Promise<WorkerRuntime> {
  const port = config.workerMetrics.sdkPort || (await freeLoopbackPort());
  const bindAddress = `127.0.0.1:${port}`;
  Runtime.install({
    ...(options.logger && { logger: options.logger }),
    telemetryOptions: {
      metrics: {
        // Prometheus conventions: counters end in _total, durations in seconds.
        prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true },
      },
    },
  });
  return { sdkMetricsUrl: `http://${bindAddress}/metrics` };
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
