/**
 * Disposing a PostgreSQL test store must not terminate a connection that is still open: a backend ended by
 * DROP ... WITH (FORCE) surfaces as an unhandled pool 'error' (57P01) in whatever test runs next.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { sql } from 'kysely';
import { createTestStore, dropDatabaseOnceIdle } from '../helpers/stores';
import { eventually } from '../helpers/eventually';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const exists = (name: string) =>
  admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

describe('dropDatabaseOnceIdle', () => {
  it('waits for a connection still open instead of terminating it, then drops the database', async () => {
    const name = `cb_test_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    // A client whose socket outlives its pool's end(), as pg's idle clients do.
    const lingering = new Client({ connectionString: url.toString() });
    const errors: unknown[] = [];
    lingering.on('error', (err) => errors.push(err));
    await lingering.connect();

    const dropping = dropDatabaseOnceIdle(name);
    // The drop is waiting: its admin session is polling pg_stat_activity for this database.
    await eventually(
      () =>
        admin(
          async (c) =>
            (
              await c.query(
                "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT count(*) AS n FROM pg_stat_activity%' AND pid <> pg_backend_pid()",
              )
            ).rowCount,
        ),
      { what: 'the drop to poll for connections', accept: (n) => (n ?? 0) > 0 },
    );
    // An immediate FORCE would have ended this session already.
    expect((await lingering.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(await exists(name)).toBe(true);

    await lingering.end();
    expect(await dropping).toBe(0);
    expect(await exists(name)).toBe(false);
    expect(errors).toEqual([]);
  });

  it('a disposed test store leaves no database behind', async () => {
    for (let i = 0; i < 5; i++) {
      const store = await createTestStore('postgres');
      // Several pooled connections, as a contract test's queries leave them.
      await Promise.all(Array.from({ length: 5 }, () => sql`SELECT pg_sleep(0.01)`.execute(store.db)));
      const name = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(store.db)).rows[0]!
        .name;
      await store.dispose();
      expect(await exists(name)).toBe(false);
    }
  });
});
