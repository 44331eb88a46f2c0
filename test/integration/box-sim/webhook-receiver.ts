/** A local HTTP endpoint that records webhook deliveries and answers with scripted statuses. */
import { createServer, type Server } from 'node:http';
import { eventually } from '../../helpers/eventually';

/** One received delivery: the raw body and the (lowercase) headers. */
export interface Received {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** The receiver: its URL, what it got, and the statuses to answer next (then 200). */
export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  readonly nextStatuses: number[];
  /** Answers to hold back (milliseconds) before replying, one per delivery, then none. */
  readonly nextDelaysMs: number[];
  /** Resolves when `count` deliveries arrived; fails after `maxWaitMs` with how many did. */
  waitFor(count: number, maxWaitMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const nextStatuses: number[] = [];
  const nextDelaysMs: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers });
      const status = nextStatuses.shift() ?? 200;
      const delay = nextDelaysMs.shift() ?? 0;
      setTimeout(() => {
        if (res.destroyed) return;
        res.statusCode = status;
        res.end();
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('receiver has no port');
  return {
    url: `http://127.0.0.1:${address.port}/webhooks/box`,
    received,
    nextStatuses,
    nextDelaysMs,
    async waitFor(count, maxWaitMs = 5000) {
      await eventually(() => received.length, {
        what: `${count} webhook deliveries`,
        timeoutMs: maxWaitMs,
        intervalMs: 10,
        accept: (n) => n >= count,
      });
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
