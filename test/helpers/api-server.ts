import { Writable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../api/server';
import { loadConfig, type Config } from '../../config/config';
import { ConnectorsRepository } from '../../store/connectors-repository';
import { openStore, type Store } from '../../store/database';

/** The API token of test servers. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';
/** The Authorization header of test requests. */
export const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };

/** A signal or query a fake Temporal client received. */
export interface TemporalCall {
  kind: 'signal' | 'query' | 'start' | 'update';
  workflowId: string;
  name: string;
  arg?: unknown;
}

/**
 * A Temporal client double for API tests: records starts, signals and queries. `running` lists the
 * workflow ids that exist (others answer WorkflowNotFoundError); `failSignals` makes signals throw.
 * `updates` answers updates by workflow id (a result, or an Error the workflow failed or rejected it with);
 * a workflow without an entry has no handler for it, like a run of code from before the update; `'hang'`
 * never answers (the call ends when the caller's abort signal fires).
 */
export function fakeTemporal(options: { failSignals?: () => boolean } = {}) {
  const calls: TemporalCall[] = [];
  const running = new Set<string>();
  const statuses = new Map<string, unknown>();
  const updates = new Map<string, unknown>();
  let abortSignal: AbortSignal | undefined;
  const missing = (workflowId: string) => new WorkflowNotFoundError('not found', workflowId, undefined);
  const client = {
    workflow: {
      start: (name: string, opts: { workflowId: string; args?: unknown[] }) => {
        calls.push({ kind: 'start', workflowId: opts.workflowId, name, arg: opts.args?.[0] });
        running.add(opts.workflowId);
        return Promise.resolve({ workflowId: opts.workflowId });
      },
      getHandle: (workflowId: string) => ({
        signal: (def: { name: string }, arg?: unknown) => {
          if (options.failSignals?.()) return Promise.reject(new Error('Temporal unavailable'));
          if (!running.has(workflowId)) return Promise.reject(missing(workflowId));
          calls.push({ kind: 'signal', workflowId, name: def.name, arg });
          return Promise.resolve();
        },
        executeUpdate: (def: { name: string }, opts: { args?: unknown[] }) => {
          if (!running.has(workflowId)) return Promise.reject(missing(workflowId));
          calls.push({ kind: 'update', workflowId, name: def.name, arg: opts.args?.[0] });
          const answer = updates.get(workflowId);
          if (answer === 'hang') {
            const signal = abortSignal;
            return new Promise((_resolve, reject) =>
              signal?.addEventListener('abort', () =>
                reject(new WorkflowUpdateRPCTimeoutOrCancelledError('cancelled')),
              ),
            );
          }
          if (answer === undefined) {
            const unknown = ApplicationFailure.nonRetryable(`No registered handler for update: ${def.name}`);
            return Promise.reject(new WorkflowUpdateFailedError('Workflow Update failed', unknown));
          }
          if (answer instanceof Error)
            return Promise.reject(new WorkflowUpdateFailedError('Workflow Update failed', answer));
          return Promise.resolve(answer);
        },
        query: (def: { name: string }) => {
          if (!running.has(workflowId)) return Promise.reject(missing(workflowId));
          calls.push({ kind: 'query', workflowId, name: def.name });
          return Promise.resolve(statuses.get(`${workflowId}:${def.name}`));
        },
      }),
    },
    workflowService: { getSystemInfo: () => Promise.resolve({}) },
    withAbortSignal: <R>(signal: AbortSignal, fn: () => Promise<R>) => {
      abortSignal = signal;
      try {
        return fn();
      } finally {
        abortSignal = undefined;
      }
    },
  } as unknown as Client;
  return { client, calls, running, statuses, updates };
}

/** Every line the server logged, as text (for tests that look for secrets in logs). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

/** A test API server on an in-memory SQLite store with a fake Temporal client. */
export interface TestApi {
  app: FastifyInstance;
  store: Store;
  config: Config;
  temporal: ReturnType<typeof fakeTemporal>;
  logs: LogCapture;
  close(): Promise<void>;
}

/** Builds the real API server (every route, hook and plugin) with test dependencies. */
export async function startTestApi(env: NodeJS.ProcessEnv = {}): Promise<TestApi> {
  const store = await openStore('sqlite::memory:');
  const config = loadConfig({
    API_TOKEN: TEST_TOKEN,
    ENCRYPTION_KEY: 'ab'.repeat(32),
    LOG_LEVEL: 'info',
    ...env,
  });
  const temporal = fakeTemporal();
  const logs = new LogCapture();
  const app = buildApiServer({
    config,
    store,
    temporal: temporal.client,
    outcomeWaitMs: 50,
    logStream: logs,
  });
  await app.ready();
  return {
    app,
    store,
    config,
    temporal,
    logs,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** A private temporary folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Adds a connector record (Connected unless told otherwise) to a test API's store. */
export async function addConnector(
  api: Pick<TestApi, 'store'>,
  id: string,
  options: { instanceName?: string; status?: string } = {},
): Promise<void> {
  await new ConnectorsRepository(api.store.db).create({
    id,
    instanceName: options.instanceName ?? 'Acme',
    dataCenter: 'US1',
    status: options.status ?? 'Connected',
    statusMessage: '',
  });
}
