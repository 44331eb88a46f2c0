import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ConnectStack } from './connect-stack';

const root = join(__dirname, '..', '..');

/** A spawned workers/main.ts and what it wrote. */
export interface WorkerProcess {
  child: ChildProcess;
  /** What it wrote to stdout and stderr so far. */
  written: { out: string; err: string };
}

/**
 * Spawns a real worker process (workers/main.ts) on `stack`'s store, dev server (`address`), task queues
 * and box-sim, as a second machine would run it, with `extra` settings on top (a policy file, a test
 * fault). Logs at info with a free metrics port, so several can run at once; resolves once it logs that it
 * polls, rejects with its stderr if it exits first.
 */
export async function spawnWorkerProcess(
  stack: ConnectStack,
  address: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'workers', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: stack.config.databaseUrl,
      ENCRYPTION_KEY: stack.config.encryptionKeyHex,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueues.main,
      TEMPORAL_SCAN_TASK_QUEUE: stack.config.temporal.taskQueues.scan,
      TEMPORAL_PRIORITY_TASK_QUEUE: stack.config.temporal.taskQueues.priority,
      BOX_API_BASE_URL: stack.config.box.apiBaseUrl,
      BOX_UPLOAD_BASE_URL: stack.config.box.uploadBaseUrl,
      BOX_AUTHORIZE_URL: stack.config.box.authorizeUrl,
      PUBLIC_BASE_URL: stack.config.api.publicBaseUrl,
      LOG_LEVEL: 'info', // its 'polling' line (info) says it is ready
      WORKER_METRICS_PORT: '0',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const written = { out: '', err: '' };
  child.stderr.on('data', (d: Buffer) => (written.err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      written.out += d.toString();
      if (written.out.includes('"msg":"polling ')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the worker exited (${code ?? signal}) before polling: ${written.err}`)),
    );
  });
  return { child, written };
}
