import { ApplicationFailure } from '@temporalio/common';
import { AUTHORIZE_REJECTED } from '../../../workflows/connect-box-messages';
import { OAuthStatesRepository } from '../../../store/oauth-states-repository';
import { OAuthStateSigner } from '../../../api/oauth-state';
import { KeyRing, resolveKeyRing } from '../../../box/token-cipher';
import { startTestApi, type TestApi, addConnector } from '../../helpers/api-server';

const CALLBACK = '/oauth/box/callback';

describe('GET /oauth/box/callback', () => {
  let api: TestApi;
  let signer: OAuthStateSigner;
  beforeAll(async () => {
    api = await startTestApi();
    await addConnector(api, 'c1', { status: 'AwaitingAuthorization' });
    api.temporal.running.add('connector/c1');
    api.temporal.statuses.set('connector/c1:status', {
      status: 'AwaitingAuthorization',
      message: 'waiting',
      authorizationAttempts: 0,
    });
    signer = new OAuthStateSigner(resolveKeyRing(api.config), new OAuthStatesRepository(api.store.db));
  });
  afterAll(() => api.close());

  const open = async (query: Record<string, string>) => {
    const res = await api.app.inject({ url: `${CALLBACK}?${new URLSearchParams(query).toString()}` });
    const title = /<h1 id="outcome">([^<]*)<\/h1>/.exec(res.body)?.[1] ?? '';
    return { status: res.statusCode, title: title.replace(/&#39;/g, "'"), html: res.body };
  };
  const signals = () => api.temporal.calls.filter((c) => c.kind === 'signal');
  const fresh = async (ttlMs = 60_000) => (await signer.issue('c1', ttlMs)).state;

  it('a response without a code, or with a code Box never issues, does not spend the link', async () => {
    const state = await fresh();
    expect(await open({ state })).toMatchObject({ status: 400, title: 'Authorization incomplete' });
    const long = await open({ state, code: 'a'.repeat(513) });
    expect(long).toMatchObject({ status: 400, title: 'Authorization code not valid' });
    expect(long.html).not.toContain('no valid state');
    expect(await open({ state, code: 'abc<script>' })).toMatchObject({
      title: 'Authorization code not valid',
    });
    expect(signals()).toHaveLength(0);
    // The same link still works with a proper code.
    const ok = await open({ state, code: 'validcode123' });
    expect(ok.status).toBe(200);
    expect(signals()).toEqual([
      expect.objectContaining({ name: 'oauthAuthorized', arg: { code: 'validcode123' } }),
    ]);
  });

  it('names each reason a state is refused: missing, damaged, not ours, expired, used, unknown', async () => {
    const before = signals().length;
    expect(await open({ code: 'abc' })).toMatchObject({
      status: 400,
      title: 'Authorization link incomplete',
    });
    expect(await open({ code: 'abc', state: 'garbage' })).toMatchObject({
      title: 'Authorization link damaged',
    });
    const state = await fresh();
    const [payload] = state.split('.');
    expect(await open({ code: 'abc', state: `${payload}.${'A'.repeat(43)}` })).toMatchObject({
      title: 'Authorization refused: not our link',
    });
    const otherSigner = new OAuthStateSigner(Buffer.alloc(32, 9), new OAuthStatesRepository(api.store.db));
    const foreign = (await otherSigner.issue('c1', 60_000)).state;
    expect(await open({ code: 'abc', state: foreign })).toMatchObject({
      title: 'Authorization refused: not our link',
    });
    const expired = (await signer.issue('c1', 1, Date.now() - 10_000)).state;
    expect(await open({ code: 'abc', state: expired })).toMatchObject({
      title: 'Authorization link expired',
    });
    const used = await fresh();
    expect((await open({ code: 'abc', state: used })).status).toBe(200);
    expect(await open({ code: 'abc', state: used })).toMatchObject({
      title: 'Authorization link already used',
    });
    const forgotten = await fresh();
    await api.store.db.deleteFrom('oauth_states').execute();
    expect(await open({ code: 'abc', state: forgotten })).toMatchObject({
      title: 'Authorization link unknown',
    });
    expect(signals().length).toBe(before + 1);
  });

  it('access_denied is its own page and leaves the link usable', async () => {
    const state = await fresh();
    const denied = await open({ state, error: 'access_denied', error_description: 'The user denied access' });
    expect(denied).toMatchObject({ status: 403, title: 'Access was denied in Box' });
    const other = await open({ state, error: 'server_error' });
    expect(other).toMatchObject({ status: 400, title: 'Box reported an error' });
    expect((await open({ state, code: 'secondtry' })).status).toBe(200);
    // A denial with a forged state is not dressed up as ours.
    expect(await open({ state: 'x.y', error: 'access_denied' })).toMatchObject({
      title: 'Authorization refused: not our link',
    });
  });

  it('links back to the console: the connector of the verified state, never a target taken from the request', async () => {
    const state = await fresh();
    const spent = await open({
      state,
      code: 'linkback123',
      next: 'https://evil.example/',
      redirect: '//evil',
    });
    expect(spent.html).toContain(
      '<a id="next" href="/console/apps/c1">Back to the connector in the console</a>',
    );
    expect(spent.html).not.toContain('evil');
    // Before a state is verified and spent, the page knows no connector: the list of connected apps.
    const refused = await open({ code: 'abc', state: 'garbage', next: 'https://evil.example/' });
    expect(refused.html).toContain(
      '<a id="next" href="/console/apps">Back to Connected apps in the console</a>',
    );
    expect(refused.html).not.toContain('evil');
  });

  it('a link signed before a key rotation still works when the old key is in ENCRYPTION_KEYS', async () => {
    const oldKey = Buffer.alloc(32, 3);
    const repo = new OAuthStatesRepository(api.store.db);
    const before = (await new OAuthStateSigner(oldKey, repo).issue('c1', 60_000)).state;
    const rotated = new OAuthStateSigner(new KeyRing(Buffer.alloc(32, 4), [oldKey]), repo);
    await expect(rotated.consume(before)).resolves.toEqual({ connectorId: 'c1' });
    const withoutOld = new OAuthStateSigner(Buffer.alloc(32, 4), repo);
    const other = (await new OAuthStateSigner(oldKey, repo).issue('c1', 60_000)).state;
    await expect(withoutOld.consume(other)).rejects.toMatchObject({ reason: 'forged' });
  });

  it('answers with the outcome of the authorize update, and a refused update with 409 and the reason', async () => {
    await addConnector(api, 'c2', { status: 'AwaitingAuthorization', instanceName: 'Acme two' });
    api.temporal.running.add('connector/c2');
    api.temporal.statuses.set('connector/c2:status', {
      status: 'AwaitingAuthorization',
      message: 'waiting',
      authorizationAttempts: 0,
    });
    api.temporal.updates.set('connector/c2', {
      outcome: 'passedWithWarning',
      status: {
        status: 'Connected',
        message: 'Connected with a warning: the account is a co-admin.',
        nextStep: 'To scan every file, authorize again with the primary Box admin account.',
        authorizationAttempts: 1,
        apiTest: {
          outcome: 'passedWithWarning',
          checks: [{ name: 'authorized-user', passed: true, message: 'co-admin' }],
        },
      },
    });
    const signalsBefore = signals().length;
    const state = (await signer.issue('c2', 60_000)).state;
    const ok = await open({ state, code: 'updatecode1' });
    expect(ok).toMatchObject({ status: 200, title: 'Box was connected, with a warning' });
    expect(ok.html).toContain('the account is a co-admin');
    expect(api.temporal.calls).toContainEqual(
      expect.objectContaining({ kind: 'update', name: 'authorize', arg: { code: 'updatecode1' } }),
    );
    expect(signals().length).toBe(signalsBefore);

    api.temporal.updates.set(
      'connector/c2',
      ApplicationFailure.create({
        type: AUTHORIZE_REJECTED,
        message: 'The connector is disconnected: create a new connector to connect Box again.',
        nonRetryable: true,
      }),
    );
    const refused = await open({ state: (await signer.issue('c2', 60_000)).state, code: 'updatecode2' });
    expect(refused).toMatchObject({ status: 409, title: 'Authorization not used' });
    expect(refused.html).toContain('The connector is disconnected');
    expect(signals().length).toBe(signalsBefore);

    // An update that outlasts the wait (50 ms here) gets the "still running" page, and no signal.
    api.temporal.updates.set('connector/c2', 'hang');
    const slow = await open({ state: (await signer.issue('c2', 60_000)).state, code: 'updatecode3' });
    expect(slow).toMatchObject({ status: 200, title: 'Authorization received' });
    expect(slow.html).toContain('The API test is still running');
    expect(signals().length).toBe(signalsBefore);
  });
});
