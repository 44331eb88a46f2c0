import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ConnectorsRepository } from '../../store/connectors-repository';
import { openStore, type Dialect, type Store } from '../../store/database';
import { eventually } from './eventually';

/** Both databases every store contract test runs against. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** Admin connection for creating throwaway databases (PostgreSQL runs on 127.0.0.1:5432 here and in CI). */
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh, migrated store of the given dialect; `dispose` drops what it created, once the store's
 * connections are gone (see dropDatabaseOnceIdle).
 */
export async function createTestStore(dialect: Dialect): Promise<Store & { dispose(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const store = await openStore('sqlite::memory:');
    return { ...store, dispose: () => store.close() };
  }
  const database = await createTestDatabase();
  const store = await openStore(database.url);
  return {
    ...store,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/** Connected connectors named by their ids (instance name = id, US1), for tables that reference one. */
export async function createConnectors(db: Store['db'], ids: readonly string[]): Promise<void> {
  const connectors = new ConnectorsRepository(db);
  for (const id of ids)
    await connectors.create({
      id,
      instanceName: id,
      dataCenter: 'US1',
      status: 'Connected',
      statusMessage: '',
    });
}

/**
 * A fresh, empty PostgreSQL database for processes that open the store themselves (DATABASE_URL);
 * `drop` removes it once they are gone.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<number> }> {
  const name = `cb_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabaseOnceIdle(name) };
}

/**
 * Drops a test database after its last connection has gone. pg's Pool.end() resolves as soon as it has
 * asked its idle clients to end, before their sockets close, and each client keeps the pool's idle 'error'
 * listener. A DROP ... WITH (FORCE) at that moment terminates a backend whose client still listens: the
 * client reports 57P01, the pool re-emits it as an 'error' nobody handles, and the uncaught exception
 * fails whatever test the jest worker runs then. FORCE stays as the last resort for a connection that
 * outlives the wait. Resolves with the connections FORCE ended (0 when the wait sufficed).
 */
export async function dropDatabaseOnceIdle(name: string, waitMs = 5_000): Promise<number> {
  let forced = 0;
  await withAdmin(async (c) => {
    const connections = async () =>
      Number(
        (
          await c.query<{ n: string }>(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [name],
          )
        ).rows[0]?.n ?? 0,
      );
    forced = await eventually(connections, {
      what: `the connections to ${name} to close`,
      timeoutMs: waitMs,
      intervalMs: 25,
      accept: (n) => n === 0,
    }).catch(connections);
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return forced;
}

async function withAdmin(fn: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
