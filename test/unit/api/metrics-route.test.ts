import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import { PROGRESS_QUERY_TIMEOUT_MS, registerMetricsRoute } from '../../../api/metrics-route';
import type { ConnectorsRepository } from '../../../store/connectors-repository';
import { sampleSum } from '../../helpers/prometheus-text';

/** A scan per connector id: its priority queue length, an error, or no answer at all. */
function fakeTemporal(scans: Record<string, number | Error | 'hang'>) {
  const asked: string[] = [];
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        query: () => {
          asked.push(workflowId);
          const scan = scans[workflowId.split('/')[1]!];
          if (scan === 'hang') return new Promise(() => undefined);
          if (scan instanceof Error || scan === undefined)
            return Promise.reject(scan ?? new Error('not found'));
          return Promise.resolve({ priorityQueued: scan });
        },
      }),
    },
  };
  return { client: client as unknown as Client, asked };
}

const connectors = (rows: Array<{ id: string; status: string }>) =>
  ({ list: () => Promise.resolve(rows) }) as unknown as ConnectorsRepository;

async function serve(deps: Parameters<typeof registerMetricsRoute>[1]) {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerMetricsRoute(app, deps);
  await app.ready();
  return app;
}

describe('GET /api/metrics', () => {
  it("answers Prometheus text with the process series and each scan's priority queue, leaving out scans that do not answer", async () => {
    const temporal = fakeTemporal({ a1: 7, b2: new Error('no worker'), c3: 'hang', d4: 0 });
    const app = await serve({
      temporal: temporal.client,
      connectors: connectors([
        { id: 'a1', status: 'Connected' },
        { id: 'b2', status: 'Connected' },
        { id: 'c3', status: 'NeedsReauthorization' },
        { id: 'd4', status: 'Connected' },
        { id: 'e5', status: 'Disconnected' },
        { id: 'f6', status: 'AwaitingAuthorization' },
      ]),
    });
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(PROGRESS_QUERY_TIMEOUT_MS - 50);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(sampleSum(res.body, 'connect_box_priority_queue_files', { connector: 'a1' })).toBe(7);
    expect(res.body).toMatch(/^connect_box_priority_queue_files\{connector="d4"\} 0$/m);
    expect(res.body).not.toMatch(/connector="(b2|c3|e5|f6)"/);
    // Connectors without a scan are not asked.
    expect(temporal.asked.sort()).toEqual([
      'connector/a1/scan',
      'connector/b2/scan',
      'connector/c3/scan',
      'connector/d4/scan',
    ]);
    expect(res.body).toMatch(/^process_cpu_user_seconds_total /m);
    expect(res.body).toMatch(/^nodejs_eventloop_lag_seconds /m);
    await app.close();
  });

  it('a connector whose scan stopped answering drops out of the next scrape', async () => {
    const scans: Record<string, number | Error> = { g7: 3 };
    const app = await serve({
      temporal: fakeTemporal(scans).client,
      connectors: connectors([{ id: 'g7', status: 'Connected' }]),
    });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(
      /^connect_box_priority_queue_files\{connector="g7"\} 3$/m,
    );
    scans.g7 = new Error('gone');
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).not.toContain('connector="g7"');
    await app.close();
  });
});
