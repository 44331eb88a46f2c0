import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { startMetricsServer, type MetricsServer } from '../../../telemetry/metrics-server';

/** A stand-in for the SDK's Prometheus exporter: a real HTTP server answering /metrics with `text`. */
async function exporter(text: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.end(text));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server };
}

describe("the worker's metrics server", () => {
  const registry = new Registry();
  new Counter({ name: 'connect_box_test_total', help: 'a test series', registers: [registry] }).inc(3);
  const servers: MetricsServer[] = [];
  const others: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(others.map((s) => new Promise((r) => s.close(r))));
  });
  const start = async (sdkMetricsUrl?: string, port = 0) => {
    const s = await startMetricsServer({
      host: '127.0.0.1',
      port,
      registry,
      sdkMetricsUrl,
      sdkTimeoutMs: 500,
    });
    servers.push(s);
    return s;
  };

  it("serves the registry and the SDK exporter's text at one URL, on the free port it bound", async () => {
    const sdk = await exporter(
      '# TYPE temporal_num_pollers gauge\ntemporal_num_pollers{poller_type="workflow_task"} 2\n',
    );
    others.push(sdk.server);
    const server = await start(sdk.url);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    const text = await res.text();
    expect(text).toMatch(/^connect_box_test_total 3$/m);
    expect(text).toMatch(/^temporal_num_pollers\{poller_type="workflow_task"\} 2$/m);
  });

  it('an SDK exporter that does not answer leaves its series out, not the scrape', async () => {
    const gone = await exporter('');
    await new Promise((r) => gone.server.close(r));
    const text = await (await fetch((await start(gone.url)).url)).text();
    expect(text).toMatch(/^connect_box_test_total 3$/m);
    expect(text).not.toContain('temporal_');
  });

  it('answers 404 elsewhere and 405 to anything but GET', async () => {
    const server = await start();
    const base = server.url.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('a port in use is refused with the setting that moves it', async () => {
    const taken = await start();
    await expect(start(undefined, taken.port)).rejects.toThrow(
      `the worker's metrics port 127.0.0.1:${taken.port} is in use: set WORKER_METRICS_PORT to a free port (0: any)`,
    );
  });
});
