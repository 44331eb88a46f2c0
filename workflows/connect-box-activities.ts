import type { ApiTestReport } from './connector-status';

/**
 * The activities connectBox calls, as an interface (activities/ implements it; workflows import types only).
 * Failure types a workflow reacts to are named in CONNECT_FAILURES.
 */
export interface ConnectActivities {
  exchangeAuthorizationCode(input: { connectorId: string; dataCenter: string; code: string }): Promise<void>;
  runApiTest(input: { connectorId: string; dataCenter: string }): Promise<ApiTestReport>;
  recordConnectorStatus(input: {
    connectorId: string;
    status: string;
    message: string;
    enterpriseId?: string;
    authorizedLogin?: string;
    authorizedRole?: string;
  }): Promise<void>;
  revokeConnectorTokens(input: { connectorId: string; dataCenter: string }): Promise<void>;
  /** Puts our webhook on every in-scope user's top-level folders, repairing what changed; idempotent. */
  registerWebhooks(input: {
    connectorId: string;
    dataCenter: string;
    scope: 'allUsers' | 'allButOtherAdmins';
  }): Promise<{ folders: number; created: number; recreated: number; removed: number }>;
  /** Deletes the connector's webhooks at Box and in the store. */
  removeWebhooks(input: { connectorId: string; dataCenter: string }): Promise<{ removed: number }>;
}

/** ApplicationFailure types raised by the connect activities (box/box-failure.ts names them `Box<kind>`). */
export const CONNECT_FAILURES = {
  /** Box refused the authorization code (expired after 30 s, already used, wrong app). */
  codeRejected: 'BoxInvalidAuthorizationCode',
  /** Box refused the refresh token: a new authorization is needed. */
  refreshTokenRejected: 'BoxInvalidRefreshToken',
  /** The admin removed the app: every token is refused. */
  appRemoved: 'BoxAppRemoved',
  /** The app's client id or secret is wrong in configuration. */
  invalidClient: 'BoxInvalidClientCredentials',
  /** No Box app is configured for the data centre. */
  misconfigured: 'BoxMisconfigured',
} as const;
