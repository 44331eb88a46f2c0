import { createServer, type Server } from 'node:net';

/**
 * `count` ports the OS reports free on 127.0.0.1 now, held open together so that they differ, then
 * released: for a process that must know its address before it listens (an OAuth redirect URI, a stack's
 * port settings). Another program can still take one in between; tests accept that small race.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** One port the OS reports free on 127.0.0.1 now (see freePorts). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
