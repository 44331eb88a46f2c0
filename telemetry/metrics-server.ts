/**
 * The worker's Prometheus endpoint: a small HTTP server answering GET /metrics with this process's
 * registry and, when given, the Temporal SDK exporter's text fetched from its loopback address, so that
 * an operator scrapes one URL per worker.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Where and what the metrics server serves. */
export interface MetricsServerOptions {
  host: string;
  /** 0: any free port (the bound one is in the result). */
  port: number;
  registry: Registry;
  /** The SDK exporter's /metrics URL (loopback), whose text is appended to the registry's. */
  sdkMetricsUrl?: string;
  /** How long a scrape waits for the SDK exporter (default 2 s); a slow or absent one is left out. */
  sdkTimeoutMs?: number;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port it bound. */
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the server; rejects when the port is taken (the error names the address). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(path === '/metrics' ? 'GET /metrics only\n' : 'Not found: metrics are at /metrics\n');
      return;
    }
    metricsText(options).then(
      (text) => {
        res.writeHead(200, { 'content-type': options.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });
  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function metricsText(options: MetricsServerOptions): Promise<string> {
  const own = await options.registry.metrics();
  if (!options.sdkMetricsUrl) return own;
  const sdk = await fetch(options.sdkMetricsUrl, {
    signal: AbortSignal.timeout(options.sdkTimeoutMs ?? 2_000),
  })
    .then((r) => (r.ok ? r.text() : ''))
    .catch(() => '');
  return sdk ? `${own.trimEnd()}\n${sdk.trimEnd()}\n` : own;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `the worker's metrics port ${host}:${port} is in use: set WORKER_METRICS_PORT to a free port (0: any)`
            : `the worker's metrics server cannot listen on ${host}:${port}: ${err.message}`,
        ),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
