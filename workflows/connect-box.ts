import {
  ActivityFailure,
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { BOX_ENTERPRISE_ID, CONNECTOR_ID, CONNECTOR_STATUS } from '../common/search-attributes';
import { workflowIds } from '../common/workflow-ids';
import type { ConnectActivities } from './connect-box-activities';
import { CONNECT_FAILURES } from './connect-box-activities';
import {
  AUTHORIZE_REJECTED,
  type AuthorizeResult,
  authorizeUpdate,
  backfillFinishedSignal,
  disconnectSignal,
  fileEventsSignal,
  oauthAuthorizedSignal,
  statusQuery,
  tokenRejectedSignal,
} from './connect-box-messages';
import type { ConnectorStatus } from '../domain/connector-status';
import { ConnectorState } from './connector-state';
import type { FileEvent } from '../domain/file-event';
import { PRIORITY_KINDS } from '../domain/file-event';
import type { ScanScope } from '../domain/connector-status';
import { resumeSignal, signalWorkflow } from './child-workflows';
import type { importEventLog } from './import-event-log';
import { SIGNALS_PER_RUN, scanFiles } from './scan-files';
import { prioritizeSignal } from './scan-files-messages';
import { describeConnector } from './describe-connector';
import { eventStreamPatched, startEventStream } from './event-stream-child';
import type { DataCenter } from '../domain/data-centers';
import { STEP_HEARTBEAT_TIMEOUT } from './step-timeouts';

/** Input of connectBox; `carried` is set only by its own continue-as-new. */
export interface ConnectBoxInput {
  connectorId: string;
  instanceName: string;
  dataCenter: DataCenter;
  authorizationTimeoutMs: number;
  backfillWindowMs: number;
  rescanIntervalMs: number;
  taskQueues: { main: string; scan: string; priority: string };
  /** Users the scan walks at once (default DEFAULT_USER_CONCURRENCY). */
  scanUserConcurrency?: number;
  /** Signals after which a run continues as new (default SIGNALS_PER_RUN; tests set it low). */
  signalsPerRun?: number;
  /** Wait between reads of the enterprise event stream (default DEFAULT_EVENT_STREAM_POLL_MS). */
  eventStreamPollMs?: number;
  carried?: CarriedState;
}

/** What a run hands to the next one at continue-as-new (fields added later are optional: older runs lack them). */
export interface CarriedState {
  status: ConnectorStatus;
  childrenStarted: boolean;
  /** File events that arrived after the routing loop stopped (route-file-events-concurrently). */
  fileEvents?: FileEvent[];
  /** When the next webhook repair is due, epoch ms (webhook-repair-deadline; absent: one interval from now). */
  nextRepairAt?: number;
}

const store = proxyActivities<ConnectActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumInterval: '30s' },
});
const webhooks = proxyActivities<ConnectActivities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: STEP_HEARTBEAT_TIMEOUT,
  retry: {
    maximumAttempts: 5,
    maximumInterval: '1m',
    nonRetryableErrorTypes: Object.values(CONNECT_FAILURES),
  },
});
const box = proxyActivities<ConnectActivities>({
  startToCloseTimeout: '2m',
  retry: {
    maximumAttempts: 5,
    maximumInterval: '30s',
    nonRetryableErrorTypes: Object.values(CONNECT_FAILURES),
  },
});

/**
 * The connector entity (ID `connector/<connectorId>`): waits for OAuth, runs the API test, starts the
 * backfill and scan children, routes file events to the scan, and owns the status until disconnected.
 */
export async function connectBox(input: ConnectBoxInput): Promise<ConnectorStatus> {
  // Decided once per run, before any command: a run started by older code keeps its behaviour until it
  // continues as new (docs/workflow-changes.md).
  const routeConcurrently = patched('route-file-events-concurrently');
  const repairOnDeadline = patched('webhook-repair-deadline');
  const authorizeByUpdate = patched('authorize-update');
  const state = input.carried ? new ConnectorState(input.carried.status) : ConnectorState.initial(input);
  let childrenStarted = input.carried?.childrenStarted ?? false;
  let pendingCode: string | undefined;
  let disconnectReason: string | undefined;
  let rejectedToken: string | undefined;
  let backfillImported: number | undefined;
  const fileEvents: FileEvent[] = [...(input.carried?.fileEvents ?? [])];
  let signalsThisRun = 0;
  let stopRouting = false;
  // Authorizations finished in this run and the last one's result (the `authorize` update waits for them).
  let authorizationsDone = 0;
  let lastAuthorization: AuthorizeResult | undefined;
  // Workflow time (deterministic). Signals never move it; a registration moves it one interval on.
  let nextRepairAt = input.carried?.nextRepairAt ?? Date.now() + input.rescanIntervalMs;

  setHandler(statusQuery, () => state.status);
  setHandler(oauthAuthorizedSignal, ({ code }) => {
    signalsThisRun++;
    pendingCode = code;
  });
  /**
   * Refuses an `authorize` update the connector cannot act on, saying why (no state changes here).
   * Defined before the handler: an update that arrived with the first task is validated by setHandler.
   */
  const validateAuthorization = (code: unknown) => {
    const reject = (message: string) => {
      throw ApplicationFailure.create({ type: AUTHORIZE_REJECTED, message, nonRetryable: true });
    };
    if (typeof code !== 'string' || !/^[A-Za-z0-9._~+/=-]{1,512}$/.test(code))
      reject('The authorization code is not one Box issues.');
    if (disconnectReason !== undefined || state.status.status === 'Disconnected')
      reject('The connector is disconnected: create a new connector to connect Box again.');
    if (
      pendingCode !== undefined ||
      state.status.status === 'Authorizing' ||
      state.status.status === 'RunningApiTest'
    )
      reject('An authorization of this connector is already in progress: wait for its outcome.');
    if (state.connected && state.status.apiTest?.outcome === 'passed')
      reject(
        `Box is already connected as ${state.status.apiTest.user?.login ?? 'an admin'} with every check passed: there is nothing to authorize.`,
      );
  };
  if (authorizeByUpdate)
    setHandler(
      authorizeUpdate,
      async ({ code }) => {
        signalsThisRun++;
        pendingCode = code;
        const target = authorizationsDone + 1;
        await condition(() => authorizationsDone >= target || state.status.status === 'Disconnected');
        if (authorizationsDone < target || !lastAuthorization)
          throw ApplicationFailure.create({
            type: AUTHORIZE_REJECTED,
            message: 'The connector was disconnected before the authorization ran.',
            nonRetryable: true,
          });
        return lastAuthorization;
      },
      { validator: ({ code }) => validateAuthorization(code) },
    );
  setHandler(fileEventsSignal, ({ events }) => {
    signalsThisRun++;
    if (state.connected) fileEvents.push(...events);
    else
      log.warn('file events ignored: connector not connected', {
        count: events.length,
        status: state.status.status,
      });
  });
  setHandler(backfillFinishedSignal, ({ imported }) => {
    signalsThisRun++;
    backfillImported = imported;
  });
  setHandler(tokenRejectedSignal, ({ message }) => {
    signalsThisRun++;
    rejectedToken = message;
  });
  setHandler(disconnectSignal, ({ reason }) => {
    signalsThisRun++;
    disconnectReason = reason;
  });

  const publish = async (extra: { enterpriseId?: string; login?: string; role?: string } = {}) => {
    upsertSearchAttributes([
      { key: CONNECTOR_STATUS, value: state.status.status },
      ...(extra.enterpriseId ? [{ key: BOX_ENTERPRISE_ID, value: extra.enterpriseId }] : []),
    ]);
    setCurrentDetails(describeConnector(state.status));
    await store.recordConnectorStatus({
      connectorId: input.connectorId,
      status: state.status.status,
      message: state.status.message,
      enterpriseId: extra.enterpriseId,
      authorizedLogin: extra.login,
      authorizedRole: extra.role,
    });
  };

  /** The end of an authorization: what an `authorize` update waiting for it answers. */
  const authorizationDone = (outcome: AuthorizeResult['outcome']) => {
    lastAuthorization = { outcome, status: { ...state.status } };
    authorizationsDone++;
  };

  const authorize = async (code: string) => {
    const previous = state.status.status;
    state.authorizing();
    await publish();
    let report;
    try {
      await box.exchangeAuthorizationCode({
        connectorId: input.connectorId,
        dataCenter: input.dataCenter,
        code,
      });
      state.runningApiTest();
      await publish();
      report = await box.runApiTest({ connectorId: input.connectorId, dataCenter: input.dataCenter });
    } catch (err) {
      // Box refused the code or stayed unreachable through the retries: say so and wait for a new try.
      state.authorizationFailed(previous, failureMessage(err));
      await publish();
      return authorizationDone('notAuthorized');
    }
    state.apiTested(report, new Date().toISOString());
    if (report.outcome === 'failed') {
      await revokeTokens();
      await publish();
      return authorizationDone('failed');
    }
    await publish({
      enterpriseId: report.enterprise?.id,
      login: report.user?.login,
      role: report.user?.role,
    });
    // The outcome is known: the caller need not wait for the children and the webhooks.
    authorizationDone(report.outcome);
    if (!childrenStarted) {
      await startChildren(report.scope ?? 'allButOtherAdmins');
      childrenStarted = true;
    } else {
      // A new authorization after a rejected token: the scan and the backfill may go on.
      await signalWorkflow(workflowIds.scan(input.connectorId), resumeSignal);
      if (eventStreamPatched()) await signalWorkflow(workflowIds.events(input.connectorId), resumeSignal);
      if (state.status.backfill?.state !== 'finished')
        await signalWorkflow(workflowIds.backfill(input.connectorId), resumeSignal);
    }
    await syncWebhooks();
  };

  /** Registers or repairs the webhooks that bring file events within seconds; a failure is shown, not fatal. */
  const syncWebhooks = async () => {
    const scope = state.status.apiTest?.scope ?? 'allButOtherAdmins';
    try {
      const r = await webhooks.registerWebhooks({
        connectorId: input.connectorId,
        dataCenter: input.dataCenter,
        scope,
      });
      state.status.webhooks = { folders: r.folders, checkedAt: new Date().toISOString() };
    } catch (err) {
      state.status.webhooks = {
        folders: state.status.webhooks?.folders ?? 0,
        checkedAt: new Date().toISOString(),
        problem: `Webhooks could not be registered (${failureMessage(err)}); changes are picked up by the regular scan until the next repair.`,
      };
    }
    setCurrentDetails(describeConnector(state.status));
    if (repairOnDeadline) nextRepairAt = Date.now() + input.rescanIntervalMs;
  };

  const revokeTokens = async () => {
    try {
      await box.revokeConnectorTokens({ connectorId: input.connectorId, dataCenter: input.dataCenter });
    } catch (err) {
      log.warn('token revocation failed; the stored token was deleted anyway', {
        error: failureMessage(err),
      });
    }
  };

  // The Web UI's `ConnectorId="<id>"` lists the connector with its children (they keep them when they
  // continue as new).
  const childSearchAttributes = () => {
    const enterpriseId = state.status.apiTest?.enterprise?.id;
    return [
      { key: CONNECTOR_ID, value: input.connectorId },
      ...(enterpriseId ? [{ key: BOX_ENTERPRISE_ID, value: enterpriseId }] : []),
    ];
  };

  const startEvents = () =>
    startEventStream({
      connectorId: input.connectorId,
      dataCenter: input.dataCenter,
      instanceName: input.instanceName,
      taskQueue: input.taskQueues.main,
      pollIntervalMs: input.eventStreamPollMs,
      searchAttributes: childSearchAttributes(),
    });

  const startChildren = async (scope: ScanScope) => {
    const connectedAt = Date.parse(state.status.connectedAt ?? new Date().toISOString());
    const common = {
      parentClosePolicy: ParentClosePolicy.ABANDON,
      taskQueue: input.taskQueues.main,
      typedSearchAttributes: childSearchAttributes(),
    };
    // The backfill's workflow type was renamed; connectors that recorded the old start keep replaying it.
    const backfillType = patched('import-event-log-type') ? 'importEventLog' : 'backfillActivities';
    await startChild<typeof importEventLog>(backfillType, {
      ...common,
      workflowId: workflowIds.backfill(input.connectorId),
      staticSummary: `${input.instanceName}: import the events before the connection`,
      args: [
        {
          connectorId: input.connectorId,
          dataCenter: input.dataCenter,
          createdAfter: new Date(connectedAt - input.backfillWindowMs).toISOString(),
          createdBefore: new Date(connectedAt).toISOString(),
          parentWorkflowId: workflowInfo().workflowId,
        },
      ],
    });
    state.backfillStarted();
    await startChild(scanFiles, {
      ...common,
      workflowId: workflowIds.scan(input.connectorId),
      staticSummary: `${input.instanceName}: scan every file, then rescan`,
      args: [
        {
          connectorId: input.connectorId,
          dataCenter: input.dataCenter,
          scope,
          rescanIntervalMs: input.rescanIntervalMs,
          taskQueues: input.taskQueues,
          userConcurrency: input.scanUserConcurrency,
          parentWorkflowId: workflowInfo().workflowId,
        },
      ],
    });
    if (eventStreamPatched()) await startEvents();
  };

  const routeFileEvents = async () => {
    const batch = fileEvents.splice(0, fileEvents.length);
    // Views wait for the regular scan (they are in the event log already); the rest jump the queue.
    const latest = new Map<string, FileEvent>();
    for (const e of batch)
      if (PRIORITY_KINDS.includes(e.kind) || e.kind === 'delete') latest.set(e.fileId, e);
    if (latest.size > 0)
      await signalWorkflow(workflowIds.scan(input.connectorId), prioritizeSignal, {
        files: [...latest.values()],
      });
  };

  /**
   * The routing loop (route-file-events-concurrently): runs beside the main loop, so file events reach the
   * scan while the main loop awaits a long step (webhook registration, the API test). Once `stopRouting`
   * is set it routes what is queued and ends. Events wait while the scan child is not started yet.
   */
  const routingLoop = async () => {
    for (;;) {
      await condition(() => stopRouting || (childrenStarted && fileEvents.length > 0));
      if (!childrenStarted || fileEvents.length === 0) return;
      await routeFileEvents();
    }
  };
  let routing = routeConcurrently ? routingLoop() : undefined;
  /** Stops the routing loop after it routed what is queued (events arriving later stay in `fileEvents`). */
  const stopRoutingLoop = async () => {
    stopRouting = true;
    await routing;
  };
  const restartRoutingLoop = () => {
    stopRouting = false;
    routing = routingLoop();
  };

  const disconnect = async (reason: string) => {
    if (childrenStarted) {
      const running = [workflowIds.scan(input.connectorId)];
      if (state.status.backfill?.state !== 'finished') running.push(workflowIds.backfill(input.connectorId));
      if (eventStreamPatched()) running.push(workflowIds.events(input.connectorId));
      // A cancel request to a child that closed meanwhile may never be answered: wait a bounded time.
      const requests = running.map((id) =>
        getExternalWorkflowHandle(id)
          .cancel()
          .catch(() => undefined),
      );
      await Promise.race([Promise.all(requests), sleep('30s')]);
    }
    if (childrenStarted) {
      try {
        await webhooks.removeWebhooks({ connectorId: input.connectorId, dataCenter: input.dataCenter });
      } catch (err) {
        log.warn('webhooks could not be removed; they die with the revoked token', {
          error: failureMessage(err),
        });
      }
    }
    await revokeTokens();
    state.disconnected(reason);
    await publish();
  };

  if (!input.carried) {
    await publish();
    const signalled = await condition(
      () => pendingCode !== undefined || disconnectReason !== undefined,
      input.authorizationTimeoutMs,
    );
    if (!signalled) {
      state.authorizationExpired();
      await publish();
    }
  }

  // A connector connected before the event stream existed gets it now (its children run already).
  if (input.carried?.childrenStarted && eventStreamPatched()) await startEvents();

  for (;;) {
    const wake = () =>
      pendingCode !== undefined ||
      disconnectReason !== undefined ||
      (!routeConcurrently && fileEvents.length > 0) ||
      rejectedToken !== undefined ||
      backfillImported !== undefined ||
      shouldContinueAsNew(signalsThisRun, input.signalsPerRun ?? SIGNALS_PER_RUN);
    let repairDue: boolean;
    if (repairOnDeadline) {
      // The wait ends at the deadline whatever arrives meanwhile (webhook-repair-deadline).
      // A disconnect or an OAuth code goes first (a successful authorization registers the webhooks).
      const left = nextRepairAt - Date.now();
      const woken = left > 0 ? await condition(wake, left) : wake();
      repairDue = Date.now() >= nextRepairAt && disconnectReason === undefined && pendingCode === undefined;
      if (!woken && !repairDue) continue;
    } else {
      // Before: every signal restarted the wait, so steady activity postponed the repair for ever.
      repairDue = !(await condition(wake, input.rescanIntervalMs));
    }
    if (repairDue) {
      // Once per rescan interval: new top-level folders get a webhook, deleted ones come back.
      if (state.connected) await syncWebhooks();
      else if (repairOnDeadline) nextRepairAt = Date.now() + input.rescanIntervalMs;
      continue;
    }
    if (disconnectReason !== undefined) {
      if (routeConcurrently) await stopRoutingLoop();
      await disconnect(disconnectReason);
      // An `authorize` update still waiting is answered (it is refused: the connector is gone).
      if (authorizeByUpdate) await condition(allHandlersFinished);
      return state.status;
    }
    if (pendingCode !== undefined) {
      const code = pendingCode;
      pendingCode = undefined;
      await authorize(code);
    } else if (rejectedToken !== undefined) {
      if (state.connected) {
        state.needsReauthorization(rejectedToken);
        await publish();
      }
      rejectedToken = undefined;
    } else if (backfillImported !== undefined) {
      state.backfillFinished(backfillImported);
      backfillImported = undefined;
      setCurrentDetails(describeConnector(state.status));
    } else if (!routeConcurrently && fileEvents.length > 0) {
      await routeFileEvents();
    } else {
      if (routeConcurrently) await stopRoutingLoop();
      if (authorizeByUpdate) {
        // An `authorize` update waits for the main loop: one that arrives now is served before continuing.
        await condition(() => allHandlersFinished() || pendingCode !== undefined);
        if (pendingCode !== undefined) {
          if (routeConcurrently) restartRoutingLoop();
          continue;
        }
      } else await condition(allHandlersFinished);
      await continueAsNew<typeof connectBox>({
        ...input,
        carried: {
          status: state.status,
          childrenStarted,
          ...(repairOnDeadline ? { nextRepairAt } : {}),
          // Events that arrived after the routing loop stopped are routed by the next run.
          ...(routeConcurrently && fileEvents.length > 0 ? { fileEvents } : {}),
        },
      });
    }
  }
}

function shouldContinueAsNew(signalsThisRun: number, limit: number): boolean {
  return workflowInfo().continueAsNewSuggested || signalsThisRun >= limit;
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  // Box failures carry a message written for the user (what happened and what to do next).
  return cause instanceof Error ? cause.message : String(cause);
}
