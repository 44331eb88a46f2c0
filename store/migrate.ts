import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from './migrations';

/** Thrown when a migration fails; the store is left at the last migration that succeeded. */
export class MigrationError extends Error {
  constructor(
    readonly migrationName: string | undefined,
    override readonly cause: unknown,
  ) {
    super(`Store migration ${migrationName ?? '(unknown)'} failed: ${String(cause)}`);
  }
}

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/** Brings the schema to the latest migration (run at start by every process that opens the store). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw new MigrationError(results?.find((r) => r.status === 'Error')?.migrationName, error);
}

/** Brings the schema to the named migration, up or down (tests of a migration over older data). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateTo(db: Kysely<any>, migrationName: string): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateTo(migrationName);
  if (error) throw new MigrationError(results?.find((r) => r.status === 'Error')?.migrationName, error);
}
