import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Statements kept per database: the store's queries, and the IN lists of the sizes they are called with. */
export const STATEMENTS_KEPT = 500;

/**
 * The database as Kysely's SQLite dialect sees it, with prepared statements reused by their SQL text.
 * Kysely prepares every query anew, and better-sqlite3's prepare (parse and plan) then costs as much as
 * running a short query. A statement still iterating (a streamed select) is never handed out twice: a
 * busy one gets a fresh statement. The least recently used statement goes beyond STATEMENTS_KEPT.
 */
export function withStatementCache(
  database: SqliteDatabase.Database,
  kept = STATEMENTS_KEPT,
): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached && !cached.busy) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      if (cached) return database.prepare(sql);
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > kept) statements.delete(statements.keys().next().value!);
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
