import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { startBoxSim, type BoxSim, type BoxSimOptions } from '../../box-sim';
import { loadConfig, type Config } from '../../config/config';
import { createActivities, createScanQueueActivities } from '../../activities';
import { createWorkerDeps, type WorkerDeps } from '../../workers/worker-deps';
import { buildApiServer } from '../../api/server';
import type { ScanDeps } from '../../activities/scan-activities';
import { temporalDataConverter } from '../../config/payload-codec';
import { createLocalEnv } from './temporal-env';
import { workflowBundle } from './workflow-bundle';

/** A whole connect-box on one machine for integration tests: box-sim, dev server, worker, API (inject). */
export interface ConnectStack {
  sim: BoxSim;
  env: TestWorkflowEnvironment;
  /**
   * A client of the dev server with the stack's data converter (payloads encrypted with its key): use it,
   * not `env.client`, for queries, results and anything else that reads what the workers wrote.
   */
  temporal: Client;
  config: Config;
  deps: WorkerDeps;
  api: FastifyInstance;
  /** Calls the API with the bearer token. */
  call(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: any; body: string }>;
  close(): Promise<void>;
}

/** Starts the stack; `env` may be shared between stacks of one test file. */
export async function startConnectStack(
  options: {
    sim?: BoxSimOptions;
    env?: TestWorkflowEnvironment;
    settings?: NodeJS.ProcessEnv;
    scanTuning?: Pick<ScanDeps, 'budget' | 'limits'>;
    /** Where the API logs, at debug level (default: nowhere). */
    apiLog?: NodeJS.WritableStream;
    /** Run no worker in this process (the test spawns worker processes of its own). Default false. */
    noWorker?: boolean;
  } = {},
): Promise<ConnectStack> {
  const sim = await startBoxSim({ users: 8, files: 60, ...options.sim });
  const dir = mkdtempSync(join(tmpdir(), 'connect-box-'));
  const queue = `connect-box-it-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, 'store.sqlite')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    BOX_API_BASE_URL: sim.baseUrl,
    BOX_UPLOAD_BASE_URL: sim.uploadUrl,
    BOX_AUTHORIZE_URL: `${sim.oauth2Url}/authorize`,
    PUBLIC_BASE_URL: 'http://127.0.0.1:3999',
    TEMPORAL_TASK_QUEUE: queue,
    TEMPORAL_SCAN_TASK_QUEUE: `${queue}-scan`,
    TEMPORAL_PRIORITY_TASK_QUEUE: `${queue}-priority`,
    LOG_LEVEL: 'warn',
    ...options.settings,
  });
  const ownEnv = !options.env;
  const env = options.env ?? (await createLocalEnv());
  // Every client and worker of the stack encrypts payloads with the key derived from its ENCRYPTION_KEY,
  // as processes spawned with that key do.
  const dataConverter = temporalDataConverter(config);
  const temporal = new Client({ connection: env.connection, namespace: env.namespace, dataConverter });
  // With a Temporal client, the scan starts the governance actions a new finding asks for.
  const deps: WorkerDeps = { ...(await createWorkerDeps(config)), temporal };
  const queues = config.temporal.taskQueues;
  const scan = createScanQueueActivities(deps, options.scanTuning);
  const workers = options.noWorker
    ? []
    : await Promise.all([
        Worker.create({
          connection: env.nativeConnection,
          taskQueue: queues.main,
          workflowBundle: await workflowBundle(),
          activities: createActivities(deps),
          dataConverter,
        }),
        Worker.create({
          connection: env.nativeConnection,
          taskQueue: queues.scan,
          activities: scan.bulk,
          dataConverter,
        }),
        Worker.create({
          connection: env.nativeConnection,
          taskQueue: queues.priority,
          dataConverter,
          activities: scan.priority,
        }),
      ]);
  const running = Promise.all(workers.map((w) => w.run()));
  const api = buildApiServer({
    config,
    store: deps.store,
    temporal,
    outcomeWaitMs: 30_000,
    logStream: options.apiLog,
  });
  api.log.level = options.apiLog ? 'debug' : 'silent';
  await api.ready();
  return {
    sim,
    env,
    temporal,
    config,
    deps,
    api,
    async call(method, url, body) {
      const res = await api.inject({
        method,
        url,
        payload: body as object,
        headers: { authorization: `Bearer ${config.api.token}` },
      });
      let json: unknown;
      try {
        json = res.json();
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json, body: res.body };
    },
    async close() {
      await api.close();
      for (const w of workers) w.shutdown();
      await running;
      await deps.store.close();
      if (ownEnv) await env.teardown();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
