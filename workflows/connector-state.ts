import type { ConnectorStatusName } from '../domain/connector-status';
import type { ApiTestReport, ConnectorStatus } from '../domain/connector-status';

/** Statuses in which the connector waits for an OAuth signal. */
const WAITING_FOR_AUTHORIZATION: readonly ConnectorStatusName[] = [
  'AwaitingAuthorization',
  'AuthorizationExpired',
  'ApiTestFailed',
  'NeedsReauthorization',
];

/**
 * The connector entity's state: status transitions and the words shown for each. Plain data inside
 * (JSON-safe), so it crosses continue-as-new as it is.
 */
export class ConnectorState {
  constructor(public status: ConnectorStatus) {}

  /** A fresh connector, waiting for its first authorization. */
  static initial(input: {
    connectorId: string;
    instanceName: string;
    dataCenter: string;
    authorizationTimeoutMs: number;
  }) {
    return new ConnectorState({
      connectorId: input.connectorId,
      instanceName: input.instanceName,
      dataCenter: input.dataCenter,
      status: 'AwaitingAuthorization',
      message: 'Waiting for a Box admin to authorize connect-box.',
      nextStep: `Open the authorize URL and sign in with a Box admin account within ${Math.round(input.authorizationTimeoutMs / 60_000)} minutes.`,
      authorizationAttempts: 0,
      updatedAt: new Date().toISOString(),
    });
  }

  /** True while an OAuth signal is what the connector needs. */
  get waitingForAuthorization(): boolean {
    return WAITING_FOR_AUTHORIZATION.includes(this.status.status);
  }

  /** True once Box data may be read (children running). */
  get connected(): boolean {
    return this.status.status === 'Connected';
  }

  private set(status: ConnectorStatusName, message: string, nextStep?: string): void {
    this.status = { ...this.status, status, message, nextStep, updatedAt: new Date().toISOString() };
  }

  /** An OAuth code arrived. */
  authorizing(): void {
    this.status.authorizationAttempts += 1;
    this.set('Authorizing', 'Exchanging the Box authorization for tokens.');
  }

  /** The code was exchanged; the API test runs. */
  runningApiTest(): void {
    this.set('RunningApiTest', 'Testing what the authorizing account may do in Box.');
  }

  /** Box refused the authorization (or could not be reached): back to waiting, saying why. */
  authorizationFailed(previous: ConnectorStatusName, reason: string): void {
    const status = WAITING_FOR_AUTHORIZATION.includes(previous) ? previous : 'AwaitingAuthorization';
    this.set(
      status,
      `The authorization did not complete: ${reason}`,
      'Open the authorize URL again and allow access with a Box admin account.',
    );
  }

  /** The API test result decides between ApiTestFailed and Connected. */
  apiTested(report: ApiTestReport, now: string): void {
    this.status.apiTest = report;
    if (report.outcome === 'failed') {
      this.set(
        'ApiTestFailed',
        `API test failed: ${report.summary} Nothing is scanned.`,
        'Authorize again with a Box admin account (POST /api/connectors/:id/authorize gives a fresh URL).',
      );
      return;
    }
    this.status.connectedAt ??= now;
    const message =
      report.outcome === 'passed'
        ? `Box was successfully connected as ${report.user?.login ?? 'an admin'}.`
        : `Connected with a warning: ${report.summary}`;
    this.set(
      'Connected',
      message,
      report.outcome === 'passedWithWarning'
        ? 'To scan every file, authorize again with the primary Box admin account.'
        : undefined,
    );
  }

  /** No OAuth signal within the authorization window. */
  authorizationExpired(): void {
    this.set(
      'AuthorizationExpired',
      'No Box authorization arrived in time.',
      'Request a fresh authorize URL (POST /api/connectors/:id/authorize) and allow access with a Box admin account.',
    );
  }

  /** A refresh token was rejected: scanning pauses until a new authorization. */
  needsReauthorization(reason: string): void {
    this.set(
      'NeedsReauthorization',
      `Box rejected the connection's refresh token: ${reason} Scanning is paused.`,
      'Authorize again with a Box admin account; scanning resumes where it stopped.',
    );
  }

  /** Backfill progress reported by the child. */
  backfillStarted(): void {
    this.status.backfill = {
      state: 'running',
      imported: 0,
      message: 'Importing the events of the days before the connection.',
    };
  }

  /** The backfill child finished. */
  backfillFinished(imported: number): void {
    this.status.backfill = {
      state: 'finished',
      imported,
      message: `Imported ${imported} events from before the connection.`,
    };
    this.status.updatedAt = new Date().toISOString();
  }

  /** Final state. */
  disconnected(reason: string): void {
    this.set('Disconnected', `Disconnected: ${reason}`);
  }
}
