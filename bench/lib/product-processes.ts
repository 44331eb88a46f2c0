import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

// A bench stopped from outside (Ctrl-C, SIGTERM) takes the processes it started with it.
const running = new Set<ChildProcess>();
let handlersInstalled = false;
function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
}

/** A spawned api/main.ts or workers/main.ts. */
export interface ProductProcess {
  readonly child: ChildProcess;
  /** Its pid (for CPU accounting). */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Starts the API (`api`) or the worker (`worker`) in a process of its own, as a deployment runs them, with
 * `settings` as its environment on top of this one's (and `nice`: at that lower CPU priority); resolves once it is ready (the API answers
 * /healthz, the worker logs that it polls), rejects with the end of its output if it exits first.
 */
export async function startProductProcess(
  kind: 'api' | 'worker',
  settings: NodeJS.ProcessEnv,
  options: { nice?: number } = {},
): Promise<ProductProcess> {
  const entry = kind === 'api' ? join(root, 'api', 'main.ts') : join(root, 'workers', 'main.ts');
  const profile = process.env.BENCH_CPU_PROFILE_DIR;
  const args = [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), '--import', 'tsx', entry];
  // `nice -n N node ...`: nice execs node, so the pid is node's.
  const [command, argv] = options.nice
    ? ['nice', ['-n', String(options.nice), process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, argv, {
    cwd: root,
    // The worker says it polls at info; the API's requests would log at info too, so it stays at warn.
    env: { ...process.env, ...settings, LOG_LEVEL: kind === 'worker' ? 'info' : 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let tail = '';
  let ready = false;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
    if (kind === 'worker' && tail.includes('"msg":"polling ')) ready = true;
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const port = settings.API_PORT;
  for (const started = Date.now(); !ready;) {
    if (gone) throw new Error(`the ${kind} process exited before it was ready:\n${tail}`);
    if (Date.now() - started > 120_000)
      throw new Error(`the ${kind} process was not ready in 120 s:\n${tail}`);
    await new Promise((r) => setTimeout(r, 200));
    if (kind === 'api')
      ready = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.status === 200)
        .catch(() => false);
  }
  return {
    child,
    pid: child.pid!,
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The settings the API and worker processes of a bench share: the store, fresh keys and token, box-sim's
 * URLs, the dev server, task queues named after `queuePrefix`, the API on loopback `apiPort`, any free
 * metrics port, and no per-client rate limit (every request of a bench comes from 127.0.0.1).
 */
export function productSettings(at: {
  databaseUrl: string;
  simBaseUrl: string;
  temporalAddress: string;
  apiPort: number;
  queuePrefix: string;
}): Record<string, string> {
  const queue = `${at.queuePrefix}-${randomBytes(3).toString('hex')}`;
  return {
    DATABASE_URL: at.databaseUrl,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    API_TOKEN: randomBytes(24).toString('hex'),
    BOX_API_BASE_URL: at.simBaseUrl,
    BOX_UPLOAD_BASE_URL: `${at.simBaseUrl}/upload`,
    BOX_AUTHORIZE_URL: `${at.simBaseUrl}/api/oauth2/authorize`,
    PUBLIC_BASE_URL: `http://127.0.0.1:${at.apiPort}`,
    TEMPORAL_ADDRESS: at.temporalAddress,
    TEMPORAL_TASK_QUEUE: queue,
    TEMPORAL_SCAN_TASK_QUEUE: `${queue}-scan`,
    TEMPORAL_PRIORITY_TASK_QUEUE: `${queue}-priority`,
    API_HOST: '127.0.0.1',
    API_PORT: String(at.apiPort),
    WORKER_METRICS_PORT: '0',
    WEBHOOK_RATE_LIMIT: '100000000',
    API_RATE_LIMIT: '100000000',
  };
}
