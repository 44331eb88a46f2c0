import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import { withStatementCache } from './statement-cache';
import { Pool } from 'pg';
import type { Database } from './schema';
import { migrateToLatest } from './migrate';

/** Which engine a DATABASE_URL selects. */
export type Dialect = 'sqlite' | 'postgres';

/** The store handle: Kysely plus which dialect it speaks. */
export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

/** Opens the store named by a DATABASE_URL ('sqlite:<file>' or 'postgres://...') and runs migrations. */
export async function openStore(databaseUrl: string, options: { migrate?: boolean } = {}): Promise<Store> {
  const store = databaseUrl.startsWith('sqlite:')
    ? openSqlite(databaseUrl.slice('sqlite:'.length))
    : openPostgres(databaseUrl);
  if (options.migrate !== false) await migrateToLatest(store.db);
  return store;
}

function openSqlite(file: string): Store {
  let database: SqliteDatabase.Database;
  if (file === ':memory:') database = new SqliteDatabase(':memory:');
  else {
    const path = resolve(file);
    mkdirSync(dirname(path), { recursive: true });
    database = new SqliteDatabase(path);
    // WAL lets the API read while the worker writes; a busy timeout rides out short write contention.
    database.pragma('journal_mode = WAL');
    // In WAL mode NORMAL syncs at checkpoints, not at every commit (a page of the walk is one): a killed
    // process loses nothing committed; a power cut may lose the last commits, which the walk, replaying
    // from the store's markers, does again.
    database.pragma('synchronous = NORMAL');
    // A checkpoint every 10,000 pages (40 MB of WAL) instead of 1,000: the pages every commit of the walk
    // rewrites (index roots, the pass and user rows) are copied to the database once per checkpoint, not
    // ten times.
    database.pragma('wal_autocheckpoint = 10000');
  }
  // 32 MB of page cache instead of 2: the files table's five indexes of a 100,000-file enterprise stay in
  // memory instead of being read back from the OS at every upsert (it fills only as pages are read).
  database.pragma('cache_size = -32000');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

function openPostgres(connectionString: string): Store {
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new Pool({ connectionString, max: 10 }) }),
  });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}
