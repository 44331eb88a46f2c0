import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FileEvent } from '../domain/file-event';
import type { ApiTestReport, ConnectorStatus } from '../domain/connector-status';

/** The OAuth callback received a code (the API has already checked `state`). */
export const oauthAuthorizedSignal = defineSignal<[{ code: string }]>('oauthAuthorized');
/** A batch of file events (the webhook receiver coalesces deliveries). */
export const fileEventsSignal = defineSignal<[{ events: FileEvent[] }]>('fileActivity');
/** The backfill child finished importing the window. */
export const backfillFinishedSignal = defineSignal<[{ imported: number }]>('backfillFinished');
/** A child hit a rejected refresh token: the connector needs a new authorization. */
export const tokenRejectedSignal = defineSignal<[{ message: string }]>('tokenRejected');
/** Disconnect: cancel the children, revoke the token, end Disconnected. */
export const disconnectSignal = defineSignal<[{ reason: string }]>('disconnect');
/** The connector's status. */
export const statusQuery = defineQuery<ConnectorStatus>('status');

/**
 * How an authorization ended: the API test's outcome, or `notAuthorized` when Box refused the code or
 * stayed unreachable (the status says why), with the connector's status right after.
 */
export interface AuthorizeResult {
  outcome: ApiTestReport['outcome'] | 'notAuthorized';
  status: ConnectorStatus;
}
/** Failure type of an `authorize` update the connector refuses before doing anything. */
export const AUTHORIZE_REJECTED = 'AuthorizeRejected';
/**
 * The OAuth callback received a code (the API has already checked `state`): exchanges it, runs the API
 * test and answers with its outcome. Replaces the `oauthAuthorized` signal, which keeps working.
 */
export const authorizeUpdate = defineUpdate<AuthorizeResult, [{ code: string }]>('authorize');
