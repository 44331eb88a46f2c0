import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { Config } from '../config/config';
import type { DataCenter } from '../domain/data-centers';
import type { ConnectorStatus } from '../domain/connector-status';
import { CONNECTOR_ID, CONNECTOR_STATUS } from '../common/search-attributes';
import { workflowIds } from '../common/workflow-ids';
import {
  DuplicateInstanceNameError,
  type ConnectorRecord,
  type ConnectorsRepository,
} from '../store/connectors-repository';
import type { Store } from '../store/database';
import { ScanWorkRepository, type StoredProgress } from '../store/scan-work-repository';
import { WebhookOutboxRepository } from '../store/webhook-outbox-repository';
import { WebhooksRepository } from '../store/webhooks-repository';
import type { connectBox } from '../workflows/connect-box';
import { disconnectSignal, statusQuery } from '../workflows/connect-box-messages';
import { eventStreamProgressQuery, type EventStreamProgress } from '../workflows/enterprise-events-messages';
import { progressQuery, type ScanProgress } from '../workflows/scan-files-messages';
import type { OAuthStateSigner } from './oauth-state';
import { ProblemError } from './problem';

/** What the connectors service needs. */
export interface ConnectorsServiceDeps {
  config: Config;
  connectors: ConnectorsRepository;
  temporal: Client;
  states: OAuthStateSigner;
  store: Store;
}

/**
 * How long a read waits for a workflow to answer a query. With no worker running, Temporal holds a query
 * for about 30 s; the stored record and the store's scan figures answer instead (`live: false`).
 */
export const LIVE_QUERY_TIMEOUT_MS = 3_000;

/** A connector as the API and the console show it (the stored record). */
export interface ConnectorView {
  id: string;
  instanceName: string;
  dataCenter: string;
  status: string;
  message: string;
  enterpriseId: string | null;
  authorizedLogin: string | null;
  authorizedRole: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A fresh link a Box admin opens to authorize connect-box. */
export interface AuthorizeLink {
  authorizeUrl: string;
  authorizeUrlExpiresAt: string;
}

/** The webhooks of a connector as the store knows them (the registered ones and the receiver's outbox). */
export interface WebhookHealth {
  /** Webhooks recorded for the connector in the store (one per in-scope top-level folder). */
  registered: number;
  /** Deliveries recorded but not yet signalled to the connector (the sweeper retries them). */
  pendingDeliveries: number;
  /** The connector's last check of its webhooks (its status), when it made one. */
  checkedAt?: string;
  /** What the last check found wrong, if anything. */
  problem?: string;
}

/** The enterprise event stream's health: its position, and how long ago it last read. */
export type EventStreamHealth = EventStreamProgress & {
  /** Seconds since the last read returned (undefined before the first read). */
  lagSeconds?: number;
  /** The stream waits `pollIntervalMs` between reads once caught up. */
  pollIntervalMs: number;
};

/** A connector with what its workflows and the store know now: GET /api/connectors/:id and its console page. */
export interface ConnectorDetails extends ConnectorView {
  /** Whether its workflow answered (else: the stored record only). */
  live: boolean;
  /** The connectBox status query (API test, backfill, webhooks) when it answered. */
  details?: ConnectorStatus;
  scan?: ReturnType<typeof scanView>;
  webhooks: WebhookHealth;
  /** Undefined when the stream's workflow did not answer (not connected yet, disconnected, no worker). */
  eventStream?: EventStreamHealth;
}

/**
 * The connectors' operations, shared by the /api routes and the console's pages: create (a record and its
 * connectBox workflow), read (live status, scan progress, webhook and event-stream health), disconnect, and
 * a fresh authorize URL. Errors are ProblemErrors with what to do next; auditing is the caller's.
 */
export class ConnectorsService {
  private readonly work: ScanWorkRepository;
  private readonly webhooks: WebhooksRepository;
  private readonly outbox: WebhookOutboxRepository;

  constructor(private readonly deps: ConnectorsServiceDeps) {
    this.work = new ScanWorkRepository(deps.store.db);
    this.webhooks = new WebhooksRepository(deps.store.db);
    this.outbox = new WebhookOutboxRepository(deps.store.db);
  }

  /** Every connector, newest first (stored records). */
  async list(): Promise<ConnectorView[]> {
    return (await this.deps.connectors.list()).map(connectorViewOf);
  }

  /**
   * Creates a connector and starts its connectBox workflow; returns it with its authorize URL. Thrown
   * (ProblemError): `invalid-request` when no Box app is configured for the data centre, `conflict` when
   * an active connector has the name, `unavailable` when Temporal refused the start.
   */
  async create(input: {
    id?: string;
    instanceName: string;
    dataCenter: DataCenter;
  }): Promise<{ record: ConnectorRecord } & AuthorizeLink> {
    const { config, connectors, temporal } = this.deps;
    const { instanceName, dataCenter } = input;
    if (!config.box.apps[dataCenter]) {
      throw new ProblemError(
        'invalid-request',
        `No Box app is configured for data centre ${dataCenter}: set BOX_${dataCenter}_CLIENT_ID and BOX_${dataCenter}_CLIENT_SECRET.`,
      );
    }
    const id = input.id ?? newConnectorId();
    let record: ConnectorRecord;
    try {
      record = await connectors.create({
        id,
        instanceName,
        dataCenter,
        status: 'AwaitingAuthorization',
        statusMessage: 'Waiting for a Box admin to authorize connect-box.',
      });
    } catch (err) {
      if (err instanceof DuplicateInstanceNameError) throw new ProblemError('conflict', err.message);
      throw err;
    }
    try {
      await temporal.workflow.start<typeof connectBox>('connectBox', {
        workflowId: workflowIds.connector(id),
        taskQueue: config.temporal.taskQueues.main,
        staticSummary: `Box connector '${instanceName}' (${dataCenter})`.slice(0, 200),
        staticDetails: `Connector ${id}: OAuth, API test, backfill of ${config.timing.backfillWindowMs / 86_400_000} days, continuous scan.`,
        typedSearchAttributes: [
          { key: CONNECTOR_ID, value: id },
          { key: CONNECTOR_STATUS, value: 'AwaitingAuthorization' },
        ],
        args: [
          {
            connectorId: id,
            instanceName,
            dataCenter,
            authorizationTimeoutMs: config.timing.authorizationTimeoutMs,
            backfillWindowMs: config.timing.backfillWindowMs,
            rescanIntervalMs: config.timing.rescanIntervalMs,
            eventStreamPollMs: config.timing.eventStreamPollMs,
            taskQueues: config.temporal.taskQueues,
            scanUserConcurrency: config.scan.userConcurrency,
          },
        ],
      });
    } catch (err) {
      // Without its workflow the connector cannot live: free the name and say why.
      await connectors.updateStatus(id, {
        status: 'Disconnected',
        statusMessage: 'Could not start its workflow.',
      });
      throw new ProblemError(
        'unavailable',
        `The connector could not be started (Temporal: ${err instanceof Error ? err.message : String(err)}). Try again.`,
      );
    }
    return { record, ...(await this.authorizeLink(record)) };
  }

  /**
   * A fresh authorize URL (with a new signed, single-use state) to authorize again. Thrown (ProblemError
   * `conflict`) when the connector is disconnected.
   */
  async reauthorize(record: ConnectorRecord): Promise<AuthorizeLink> {
    if (record.status === 'Disconnected')
      throw new ProblemError('conflict', 'This connector is disconnected; create a new one.');
    return this.authorizeLink(record);
  }

  /**
   * Disconnects: signals its workflow (which cancels the children, removes its webhooks, revokes the
   * token), or marks it disconnected when the workflow no longer runs. `false` when it already was.
   */
  async disconnect(record: ConnectorRecord, reason: string): Promise<boolean> {
    if (record.status === 'Disconnected') return false;
    try {
      await this.deps.temporal.workflow
        .getHandle(workflowIds.connector(record.id))
        .signal(disconnectSignal, { reason });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await this.deps.connectors.updateStatus(record.id, {
        status: 'Disconnected',
        statusMessage: 'Disconnected: its workflow no longer runs.',
      });
    }
    return true;
  }

  /** The connector with its live status, scan progress, webhook and event-stream health. */
  async details(record: ConnectorRecord, now = Date.now()): Promise<ConnectorDetails> {
    const id = record.id;
    const [live, scanLive, scanStored, registered, pendingDeliveries, stream] = await Promise.all([
      this.query(workflowIds.connector(id), statusQuery),
      this.query(workflowIds.scan(id), progressQuery),
      this.work.progress(id),
      this.webhooks.count(id),
      this.outbox.countPending(id),
      this.query(workflowIds.events(id), eventStreamProgressQuery),
    ]);
    const checked = live?.webhooks;
    return {
      ...connectorViewOf(record),
      live: live !== undefined,
      ...(live && { status: live.status, message: live.message, details: live }),
      ...((scanLive || scanStored) && { scan: scanView(scanLive, scanStored, now) }),
      webhooks: {
        registered,
        pendingDeliveries,
        ...(checked && { checkedAt: checked.checkedAt }),
        ...(checked?.problem !== undefined && { problem: checked.problem }),
      },
      ...(stream && { eventStream: eventStreamHealth(stream, this.deps.config, now) }),
    };
  }

  /** A workflow's query answer, or undefined: not started, closed, or no worker answering in time. */
  private async query<T>(workflowId: string, query: QueryDefinition<T>): Promise<T | undefined> {
    const { temporal } = this.deps;
    try {
      return await temporal.withDeadline(Date.now() + LIVE_QUERY_TIMEOUT_MS, () =>
        temporal.workflow.getHandle(workflowId).query(query),
      );
    } catch {
      return undefined;
    }
  }

  private async authorizeLink(record: ConnectorRecord): Promise<AuthorizeLink> {
    const { config, states } = this.deps;
    const client = config.box.apps[record.data_center as DataCenter];
    const { state, expiresAt } = await states.issue(record.id, config.timing.authorizationTimeoutMs);
    const url = new URL(config.box.authorizeUrl);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client?.clientId ?? '',
      redirect_uri: redirectUri(config),
      state,
    }).toString();
    return { authorizeUrl: url.toString(), authorizeUrlExpiresAt: expiresAt.toISOString() };
  }
}

/** A new connector id: 12 hex characters. */
export function newConnectorId(): string {
  return randomBytes(6).toString('hex');
}

/** The OAuth redirect URI registered with the Box app. */
export function redirectUri(config: Config): string {
  return `${config.api.publicBaseUrl.replace(/\/$/, '')}/oauth/box/callback`;
}

/** A stored connector as the API shows it. */
export function connectorViewOf(r: ConnectorRecord): ConnectorView {
  return {
    id: r.id,
    instanceName: r.instance_name,
    dataCenter: r.data_center,
    status: r.status,
    message: r.status_message,
    enterpriseId: r.enterprise_id,
    authorizedLogin: r.authorized_login,
    authorizedRole: r.authorized_role,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function eventStreamHealth(p: EventStreamProgress, config: Config, now: number): EventStreamHealth {
  return {
    ...p,
    ...(p.lastReadAt && { lagSeconds: Math.max(0, Math.round((now - Date.parse(p.lastReadAt)) / 1000)) }),
    pollIntervalMs: config.timing.eventStreamPollMs,
  };
}

/**
 * The scan's progress as the API shows it: every figure as the store holds it (users and counts of the
 * latest pass, priority rescans, files per second, the last completion), exact after a worker crash or a
 * rejected token because the steps commit their counts with their work; the state, the pass number and
 * the priority queue's length from the workflow's query (`live: false` when it did not answer).
 */
export function scanView(
  live: ScanProgress | undefined,
  stored: StoredProgress | undefined,
  now: number = Date.now(),
) {
  if (!stored) return { ...live!, live: true };
  // The workflow has moved on to a pass whose start the store does not hold yet: nothing counted in it.
  const unrecorded = live !== undefined && live.state !== 'waiting' && live.pass > stored.pass;
  const running = !unrecorded && stored.completedAt === undefined;
  const elapsedS = (now - Date.parse(stored.startedAt)) / 1000;
  const figures = {
    storedPass: stored.pass,
    usersTotal: unrecorded ? 0 : stored.usersTotal,
    usersDone: unrecorded ? 0 : stored.usersDone,
    filesSeen: unrecorded ? 0 : stored.filesSeen,
    inspected: unrecorded ? 0 : stored.inspected,
    skippedUnchanged: unrecorded ? 0 : stored.skippedUnchanged,
    findings: unrecorded ? 0 : stored.findings,
    priorityScanned: stored.priorityScanned,
    lastPassCompletedAt: stored.lastPassCompletedAt,
    filesPerSecond: running && elapsedS > 0 ? Math.round((stored.filesSeen / elapsedS) * 10) / 10 : undefined,
  };
  const message = running
    ? `Pass ${stored.pass}: ${stored.usersDone} of ${stored.usersTotal} users walked, ${stored.filesSeen} files seen.`
    : undefined;
  if (!live)
    return {
      pass: stored.completedAt ? stored.pass + 1 : stored.pass,
      state: stored.completedAt ? 'waiting' : 'scanning',
      ...figures,
      message: `${message ?? `Pass ${stored.pass} complete.`} (The scan workflow did not answer: figures from the store.)`,
      live: false,
    };
  return {
    ...live,
    ...figures,
    ...(live.state === 'scanning' && message && { message }),
    live: true,
  };
}
