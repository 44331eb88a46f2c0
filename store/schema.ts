import type { Generated } from 'kysely';
import type { EventLogTable } from './event-log-table';
import type {
  FileDomainsTable,
  FilesTable,
  FindingsTable,
  PriorityOverflowTable,
  ScanFoldersTable,
  ScanPassesTable,
  ScanUsersTable,
} from './scan-tables';
import type { SessionsTable } from './sessions-table';
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

/** A person who signs in (console, CLI) or owns personal API tokens. `login` is stored lower-case. */
export interface UsersTable {
  id: string;
  login: string;
  display_name: string;
  /** argon2id PHC string; null for users who only sign in through OpenID Connect. */
  password_hash: string | null;
  /** One of ROLES (domain/roles.ts). */
  role: string;
  /** 1 when the account may not sign in and its tokens do not work. */
  disabled: number;
  /** Failed sign-ins since the last success or lockout. */
  failed_sign_ins: number;
  /** Sign-in refused until then (ISO 8601); null when not locked. */
  locked_until: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
}

/** A personal API token: only its SHA-256 hash is stored; it works while neither revoked nor expired. */
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 of the token, hex. */
  token_hash: string;
  /** The role the token carries (its owner's role at most; the owner's current role caps it too). */
  role: string;
  created_at: string;
  expires_at: string | null;
  /** Updated at most once a minute per token. */
  last_used_at: string | null;
  revoked_at: string | null;
}

/** One entry of the append-only audit log: who did what, to what, from where, with which outcome. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  /** 'api-token' | 'personal-token' | 'session' | 'cli' | 'system' | 'anonymous' (ACTOR_KINDS). */
  actor_kind: string;
  actor_user_id: string | null;
  actor_login: string;
  /** What was done, e.g. 'connector.create', 'token.create', 'account.update'. */
  action: string;
  target: string | null;
  method: string | null;
  route: string | null;
  ip: string | null;
  /** 'ok' | 'denied' | 'failed'. */
  outcome: string;
  status: number | null;
  /** JSON text; never secrets. */
  detail: string | null;
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
  file_domains: FileDomainsTable;
  findings: FindingsTable;
  priority_overflow: PriorityOverflowTable;
  webhooks: WebhooksTable;
  webhook_outbox: WebhookOutboxTable;
  governance_actions: GovernanceActionsTable;
  governance_audit: GovernanceAuditTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  sessions: SessionsTable;
}
