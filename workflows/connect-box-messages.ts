import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { FileEvent } from '../domain/file-event';
import type { ConnectorStatus } from '../domain/connector-status';

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
