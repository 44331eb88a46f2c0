/** Every status a connector can be in (see docs/architecture.md, connector status). */
export const CONNECTOR_STATUSES = [
  'AwaitingAuthorization',
  'Authorizing',
  'RunningApiTest',
  'Connected',
  'AuthorizationExpired',
  'ApiTestFailed',
  'NeedsReauthorization',
  'Disconnected',
] as const;
/** One of CONNECTOR_STATUSES. */
export type ConnectorStatusName = (typeof CONNECTOR_STATUSES)[number];

/** One check of the API test, as shown to the user. */
export interface ApiTestCheck {
  name: string;
  passed: boolean;
  message: string;
}

/** Which users' files the connector scans: everyone (an admin), or all but other admins (a co-admin). */
export const SCAN_SCOPES = ['allUsers', 'allButOtherAdmins'] as const;
/** One of SCAN_SCOPES. */
export type ScanScope = (typeof SCAN_SCOPES)[number];

/** What the API test found: who authorized, each check, and the verdict. */
export interface ApiTestReport {
  /** passed: admin. passedWithWarning: co-admin (reported failed, still connected). failed: not usable. */
  outcome: 'passed' | 'passedWithWarning' | 'failed';
  summary: string;
  checks: ApiTestCheck[];
  user?: { id: string; login: string; name: string; role: string };
  enterprise?: { id: string; name: string };
  scope?: ScanScope;
  testedAt: string;
}

/** Progress and result of the 7-day backfill as the connector reports it. */
export interface BackfillStatus {
  state: 'running' | 'finished' | 'failed';
  imported: number;
  message: string;
}

/** The connector as the `status` query and GET /api/connectors/:id show it. */
export interface ConnectorStatus {
  connectorId: string;
  instanceName: string;
  dataCenter: string;
  status: ConnectorStatusName;
  /** What is happening, in words a Box admin understands. */
  message: string;
  /** For errors and waits: what to do next. */
  nextStep?: string;
  /** Counts OAuth signals received, so a caller can wait for the outcome of its own authorization. */
  authorizationAttempts: number;
  apiTest?: ApiTestReport;
  connectedAt?: string;
  backfill?: BackfillStatus;
  /** Webhooks on the in-scope users' top-level folders (near-real-time activity). */
  webhooks?: { folders: number; checkedAt: string; problem?: string };
  updatedAt: string;
}
