import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openStore, type Dialect, type Store } from '../../store/database';

/** Both databases every store contract test runs against. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** Admin connection for creating throwaway databases (PostgreSQL runs on 127.0.0.1:5432 here and in CI). */
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, migrated store of the given dialect; `dispose` drops what it created. */
export async function createTestStore(dialect: Dialect): Promise<Store & { dispose(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const store = await openStore('sqlite::memory:');
    return { ...store, dispose: () => store.close() };
  }
  const name = `cb_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = await openStore(url.toString());
  return {
    ...store,
    dispose: async () => {
      await store.close();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
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
