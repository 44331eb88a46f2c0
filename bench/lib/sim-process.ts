import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * box-sim in a child process on a free loopback port (its own event loop, as in production); resolves once it
 * listens. `extraArgs` are more box-sim flags (e.g. `--root-files 0.1`).
 */
export async function startSimProcess(
  files: number,
  users: number,
  extraArgs: readonly string[] = [],
  options: { nice?: number } = {},
) {
  const port = await freePort();
  const argv = [
    require.resolve('tsx/cli'),
    join(__dirname, '..', '..', 'box-sim', 'main.ts'),
    '--port',
    String(port),
    '--files',
    String(files),
    '--users',
    String(users),
    '--events',
    '2000',
    '--rate-limit',
    '0',
    ...extraArgs,
  ];
  // `nice -n N node ...` (nice execs node): box-sim stands for Box's servers, which take no CPU from the
  // connector in production; at a lower priority it takes only what the connector leaves on this machine.
  const child: ChildProcess = options.nice
    ? spawn('nice', ['-n', String(options.nice), process.execPath, ...argv], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('box-sim listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`box-sim exited with ${code}`)));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      ...(body !== undefined && {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
    });
    if (!res.ok) throw new Error(`box-sim ${method} ${path}: ${res.status}`);
    return res.json();
  };
  return {
    baseUrl,
    process: child,
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
