import { ConnectorState } from '../../../workflows/connector-state';
import type { ApiTestReport, ConnectorStatusName } from '../../../domain/connector-status';

const T0 = '2026-12-01T00:00:00.000Z';
const T1 = '2026-12-01T00:05:00.000Z';

const report = (
  outcome: ApiTestReport['outcome'],
  summary = 'The account is a co-admin.',
): ApiTestReport => ({
  outcome,
  summary,
  checks: [{ name: 'read users', passed: outcome !== 'failed', message: 'listed' }],
  user: { id: 'u1', login: 'admin@acme.test', name: 'Ann', role: 'admin' },
  testedAt: T0,
});

const fresh = () =>
  ConnectorState.initial({
    connectorId: 'c1',
    instanceName: 'Acme',
    dataCenter: 'EU',
    authorizationTimeoutMs: 30 * 60_000,
  });

/** The status, message and next step: what the user reads. */
const words = (s: ConnectorState) => ({
  status: s.status.status,
  message: s.status.message,
  nextStep: s.status.nextStep,
});

describe('ConnectorState', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(T0) });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts waiting for its first authorization, with the window in minutes', () => {
    const s = fresh();
    expect(s.status).toEqual({
      connectorId: 'c1',
      instanceName: 'Acme',
      dataCenter: 'EU',
      status: 'AwaitingAuthorization',
      message: 'Waiting for a Box admin to authorize connect-box.',
      nextStep: 'Open the authorize URL and sign in with a Box admin account within 30 minutes.',
      authorizationAttempts: 0,
      updatedAt: T0,
    });
    expect(s.waitingForAuthorization).toBe(true);
    expect(s.connected).toBe(false);
    // A window that is not a whole number of minutes is rounded for the reader.
    const odd = ConnectorState.initial({
      connectorId: 'c2',
      instanceName: 'B',
      dataCenter: 'US1',
      authorizationTimeoutMs: 90_500,
    });
    expect(odd.status.nextStep).toContain('within 2 minutes.');
  });

  it('authorizing counts the attempt and says what it does, without a next step', () => {
    const s = fresh();
    jest.setSystemTime(Date.parse(T1));
    s.authorizing();
    expect(words(s)).toEqual({
      status: 'Authorizing',
      message: 'Exchanging the Box authorization for tokens.',
      nextStep: undefined,
    });
    expect(s.status.authorizationAttempts).toBe(1);
    expect(s.status.updatedAt).toBe(T1);
    expect(s.waitingForAuthorization).toBe(false);
    s.authorizing();
    expect(s.status.authorizationAttempts).toBe(2);
  });

  it('runningApiTest says what it tests', () => {
    const s = fresh();
    s.authorizing();
    s.runningApiTest();
    expect(words(s)).toEqual({
      status: 'RunningApiTest',
      message: 'Testing what the authorizing account may do in Box.',
      nextStep: undefined,
    });
  });

  it.each<[ConnectorStatusName, ConnectorStatusName]>([
    ['AwaitingAuthorization', 'AwaitingAuthorization'],
    ['AuthorizationExpired', 'AuthorizationExpired'],
    ['ApiTestFailed', 'ApiTestFailed'],
    ['NeedsReauthorization', 'NeedsReauthorization'],
    ['Authorizing', 'AwaitingAuthorization'],
    ['Connected', 'AwaitingAuthorization'],
  ])('a failed authorization from %s goes back to %s, saying why', (previous, expected) => {
    const s = fresh();
    s.authorizationFailed(previous, 'Box said the code was used already.');
    expect(words(s)).toEqual({
      status: expected,
      message: 'The authorization did not complete: Box said the code was used already.',
      nextStep: 'Open the authorize URL again and allow access with a Box admin account.',
    });
    expect(s.waitingForAuthorization).toBe(true);
  });

  it('a failed API test keeps the report, connects nothing and says how to go on', () => {
    const s = fresh();
    s.apiTested(report('failed', 'The account is not an admin.'), T1);
    expect(words(s)).toEqual({
      status: 'ApiTestFailed',
      message: 'API test failed: The account is not an admin. Nothing is scanned.',
      nextStep:
        'Authorize again with a Box admin account (POST /api/connectors/:id/authorize gives a fresh URL).',
    });
    expect(s.status.apiTest?.outcome).toBe('failed');
    expect(s.status.connectedAt).toBeUndefined();
    expect(s.waitingForAuthorization).toBe(true);
    expect(s.connected).toBe(false);
  });

  it('a passed API test connects, naming the account; connectedAt is kept across later tests', () => {
    const s = fresh();
    s.apiTested(report('passed'), T0);
    expect(words(s)).toEqual({
      status: 'Connected',
      message: 'Box was successfully connected as admin@acme.test.',
      nextStep: undefined,
    });
    expect(s.connected).toBe(true);
    expect(s.waitingForAuthorization).toBe(false);
    expect(s.status.connectedAt).toBe(T0);
    s.apiTested(report('passed'), T1);
    expect(s.status.connectedAt).toBe(T0);
    // Without a user in the report the words still read.
    const anonymous = fresh();
    anonymous.apiTested({ ...report('passed'), user: undefined }, T0);
    expect(anonymous.status.message).toBe('Box was successfully connected as an admin.');
  });

  it('a passed-with-warning API test connects with the warning and the way to full coverage', () => {
    const s = fresh();
    s.apiTested(report('passedWithWarning'), T0);
    expect(words(s)).toEqual({
      status: 'Connected',
      message: 'Connected with a warning: The account is a co-admin.',
      nextStep: 'To scan every file, authorize again with the primary Box admin account.',
    });
    expect(s.status.apiTest?.outcome).toBe('passedWithWarning');
    expect(s.connected).toBe(true);
  });

  it('an authorization window that ends says how to get a fresh URL', () => {
    const s = fresh();
    s.authorizationExpired();
    expect(words(s)).toEqual({
      status: 'AuthorizationExpired',
      message: 'No Box authorization arrived in time.',
      nextStep:
        'Request a fresh authorize URL (POST /api/connectors/:id/authorize) and allow access with a Box admin account.',
    });
    expect(s.waitingForAuthorization).toBe(true);
  });

  it('a rejected refresh token pauses scanning until an admin authorizes again, keeping connectedAt', () => {
    const s = fresh();
    s.apiTested(report('passed'), T0);
    s.needsReauthorization('The refresh token was revoked.');
    expect(words(s)).toEqual({
      status: 'NeedsReauthorization',
      message:
        "Box rejected the connection's refresh token: The refresh token was revoked. Scanning is paused.",
      nextStep: 'Authorize again with a Box admin account; scanning resumes where it stopped.',
    });
    expect(s.waitingForAuthorization).toBe(true);
    expect(s.connected).toBe(false);
    expect(s.status.connectedAt).toBe(T0);
  });

  it('reports the backfill as running, then finished with its count, without touching the status', () => {
    const s = fresh();
    s.apiTested(report('passed'), T0);
    s.backfillStarted();
    expect(s.status.backfill).toMatchObject({ state: 'running', imported: 0 });
    expect(s.status.backfill?.message).toMatch(/before the connection\.$/);
    jest.setSystemTime(Date.parse(T1));
    s.backfillFinished(1234);
    expect(s.status.backfill).toEqual({
      state: 'finished',
      imported: 1234,
      message: 'Imported 1234 events from before the connection.',
    });
    expect(s.status.updatedAt).toBe(T1);
    expect(words(s).status).toBe('Connected');
  });

  it('disconnected is final and says why, without a next step', () => {
    const s = fresh();
    s.apiTested(report('passed'), T0);
    s.disconnected('removed by the operator');
    expect(words(s)).toEqual({
      status: 'Disconnected',
      message: 'Disconnected: removed by the operator',
      nextStep: undefined,
    });
    expect(s.connected).toBe(false);
    expect(s.waitingForAuthorization).toBe(false);
  });

  it('its state is plain data: a JSON round trip gives the same connector', () => {
    const s = fresh();
    s.apiTested(report('passedWithWarning'), T0);
    s.backfillStarted();
    const again = new ConnectorState(JSON.parse(JSON.stringify(s.status)) as ConnectorState['status']);
    expect(again.status).toEqual(s.status);
    expect(again.connected).toBe(true);
  });
});
