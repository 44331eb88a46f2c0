import type { Migration } from 'kysely';
import * as m001 from './001-connectors';
import * as m002 from './002-box-tokens';
import * as m003 from './003-oauth-states';
import * as m004 from './004-activity-log';
import * as m005 from './005-scan';
import * as m006 from './006-webhooks';
import * as m007 from './007-connector-name-key';
import * as m008 from './008-event-log';
import * as m009 from './009-webhook-outbox';
import * as m010 from './010-priority-scanned';
import * as m011 from './011-people';
import * as m012 from './012-sessions';
import * as m013 from './013-governance';
import * as m014 from './014-console-data';

/** All migrations, applied in key order. */
export const migrations: Record<string, Migration> = {
  '001-connectors': m001,
  '002-box-tokens': m002,
  '003-oauth-states': m003,
  '004-activity-log': m004,
  '005-scan': m005,
  '006-webhooks': m006,
  '007-connector-name-key': m007,
  '008-event-log': m008,
  '009-webhook-outbox': m009,
  '010-priority-scanned': m010,
  '011-people': m011,
  '012-sessions': m012,
  '013-governance': m013,
  '014-console-data': m014,
};
