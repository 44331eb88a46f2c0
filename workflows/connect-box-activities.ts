import type { ApiTestReport, ScanScope } from '../domain/connector-status';
import type { DataCenter } from '../domain/data-centers';

/**
 * The activities connectBox calls, as an interface (activities/ implements it; workflows import types only).
 * Failure types a workflow reacts to are named in CONNECT_FAILURES (domain/box-failures.ts).
 */
export interface ConnectActivities {
  exchangeAuthorizationCode(input: {
    connectorId: string;
    dataCenter: DataCenter;
    code: string;
  }): Promise<void>;
  runApiTest(input: { connectorId: string; dataCenter: DataCenter }): Promise<ApiTestReport>;
  recordConnectorStatus(input: {
    connectorId: string;
    status: string;
    message: string;
    enterpriseId?: string;
    authorizedLogin?: string;
    authorizedRole?: string;
  }): Promise<void>;
  revokeConnectorTokens(input: { connectorId: string; dataCenter: DataCenter }): Promise<void>;
  /** Puts our webhook on every in-scope user's top-level folders, repairing what changed; idempotent. */
  registerWebhooks(input: {
    connectorId: string;
    dataCenter: DataCenter;
    scope: ScanScope;
  }): Promise<{ folders: number; created: number; recreated: number; removed: number }>;
  /** Deletes the connector's webhooks at Box and in the store. */
  removeWebhooks(input: { connectorId: string; dataCenter: DataCenter }): Promise<{ removed: number }>;
}

/** Failure types of the connect activities (defined with the other Box failure types in domain/). */
export { CONNECT_FAILURES } from '../domain/box-failures';
