import type { Migration } from 'kysely';
import * as m001 from './001-connectors';

/** All migrations, applied in key order. */
export const migrations: Record<string, Migration> = {
  '001-connectors': m001,
};
