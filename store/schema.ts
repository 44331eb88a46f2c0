import type { EventLogTable } from './event-log-table';
import type {
  FilesTable,
  FindingsTable,
  PriorityOverflowTable,
  ScanFoldersTable,
  ScanPassesTable,
  ScanUsersTable,
} from './scan-tables';
import type { GovernanceActionsTable, GovernanceAuditTable } from './governance-tables';
import type { WebhookOutboxTable, WebhooksTable } from './webhooks-table';

/** A connector: one Box enterprise connection (the workflow owns the live status; this is the record). */
export interface ConnectorsTable {
  id: string;
  instance_name: string;
  data_center: string;
  status: string;
  status_message: string;
  enterprise_id: string | null;
  authorized_login: string | null;
  authorized_role: string | null;
  created_at: string;
  updated_at: string;
  /** 1 while the connector is not Disconnected: instance names are unique among active connectors. */
  active: number;
  /** The instance name folded for uniqueness (store/instance-name-key.ts); unique among active connectors. */
  name_key: string;
}

/** Box tokens of one connector, sealed by box/token-cipher; `version` grows with every new pair stored. */
export interface BoxTokensTable {
  connector_id: string;
  sealed_token: string;
  /** When the access token expires (ISO 8601). */
  expires_at: string;
  version: number;
  /** Who is refreshing right now, and until when the lease holds (ISO 8601); null when nobody is. */
  lease_owner: string | null;
  lease_until: string | null;
  updated_at: string;
}

/** An issued OAuth `state`: single use, expiring with the authorization window. */
export interface OAuthStatesTable {
  nonce: string;
  connector_id: string;
  expires_at: string;
  used_at: string | null;
}

/** The database as Kysely sees it. Later migrations add their tables here. */
export interface Database {
  connectors: ConnectorsTable;
  box_tokens: BoxTokensTable;
  event_log: EventLogTable;
  oauth_states: OAuthStatesTable;
  scan_passes: ScanPassesTable;
  scan_users: ScanUsersTable;
  scan_folders: ScanFoldersTable;
  files: FilesTable;
  findings: FindingsTable;
  priority_overflow: PriorityOverflowTable;
  webhooks: WebhooksTable;
  webhook_outbox: WebhookOutboxTable;
  governance_actions: GovernanceActionsTable;
  governance_audit: GovernanceAuditTable;
}
