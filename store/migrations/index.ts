import type { Migration } from 'kysely';
import * as m001 from './001-connectors';
import * as m002 from './002-box-tokens';

/** All migrations, applied in key order. */
export const migrations: Record<string, Migration> = {
  '001-connectors': m001,
  '002-box-tokens': m002,
};
