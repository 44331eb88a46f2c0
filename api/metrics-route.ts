import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIds } from '../common/workflow-ids';
import type { ConnectorsRepository } from '../store/connectors-repository';
import { collectProcessMetrics, metricsRegistry, priorityQueueFiles } from '../telemetry/metrics';
import { progressQuery } from '../workflows/scan-files-messages';
import type { ApiApp } from './api-app';
import { problemResponses } from './problem';

/** What GET /api/metrics needs. */
export interface MetricsRouteDeps {
  temporal: Client;
  connectors: ConnectorsRepository;
}

/** How long a scrape waits for one scan's progress query (a worker that is down must not stall it). */
export const PROGRESS_QUERY_TIMEOUT_MS = 2_000;

/** Statuses whose connector has no running scan to ask. */
const NO_SCAN = new Set(['AwaitingAuthorization', 'AuthorizationExpired', 'Disconnected']);

/**
 * GET /api/metrics: this API process's series and prom-client's process series, in Prometheus text. The
 * priority lanes' depths live in the scan workflows' state: each scrape reads them through the `progress`
 * query of every connector that has a scan (a connector whose query fails or times out is left out).
 */
export function registerMetricsRoute(app: ApiApp, deps: MetricsRouteDeps): void {
  collectProcessMetrics();
  app.get(
    '/metrics',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Prometheus metrics of this API process (text exposition format)',
        description:
          'The series are listed in docs/operators.md; the worker serves its own on WORKER_METRICS_PORT.',
        tags: ['operations'],
        response: { 200: z.string(), ...problemResponses(401, 403, 429) },
      },
    },
    async (_req, reply) => {
      await samplePriorityQueues(deps);
      return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
    },
  );
}

async function samplePriorityQueues(deps: MetricsRouteDeps): Promise<void> {
  const connectors = (await deps.connectors.list()).filter((c) => !NO_SCAN.has(c.status));
  const depths = await Promise.all(
    connectors.map(async (c) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const progress = await Promise.race([
          deps.temporal.workflow.getHandle(workflowIds.scan(c.id)).query(progressQuery),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), PROGRESS_QUERY_TIMEOUT_MS);
          }),
        ]);
        return [c.id, progress.priorityQueued] as const;
      } catch {
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  // Only connectors that answered now: a disconnected one's series disappears.
  priorityQueueFiles.reset();
  for (const d of depths) if (d) priorityQueueFiles.set({ connector: d[0] }, d[1]);
}
