import { BoxApiError } from 'box-node-sdk/box';
import { NetworkSession, type FetchOptionsInput, type FetchResponse } from 'box-node-sdk/networking';
import {
  BoxTokenEndpointError,
  BoxTokensMissingError,
  RefreshTokenRejectedError,
  RefreshWaitTimeoutError,
} from '../../../box/box-errors';
import { ConnectorAuth, type ConnectorAuthOptions, type RefreshEvent } from '../../../box/connector-auth';
import { KeyedMutex } from '../../../box/keyed-mutex';
import { TokenCipher } from '../../../box/token-cipher';
import { TokenVault } from '../../../box/token-vault';
import { BoxTokensRepository } from '../../../store/box-tokens-repository';
import { openStore, type Store } from '../../../store/database';
import { tokenRefreshes } from '../../../telemetry/metrics';

/** A token endpoint in memory: hands out rt-1, rt-2, ... and accepts each refresh token once. */
class FakeTokenEndpoint {
  issued = 0;
  private readonly valid = new Set<string>();
  /** Runs before answering a refresh (to interleave another "process"). */
  beforeRefresh: () => Promise<void> = () => Promise.resolve();
  failWith?: { status: number; body: Record<string, string> };

  constructor() {
    this.valid.add('rt-0');
  }

  readonly session = new NetworkSession({ networkClient: { fetch: (o) => this.fetch(o) } });

  private async fetch(options: FetchOptionsInput): Promise<FetchResponse> {
    const form = options.data as Record<string, string>;
    await this.beforeRefresh();
    if (this.failWith) throw tokenError(this.failWith.status, this.failWith.body);
    if (!this.valid.delete(form.refresh_token!)) {
      throw tokenError(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
    }
    this.issued++;
    this.valid.add(`rt-${this.issued}`);
    const data = {
      access_token: `at-${this.issued}`,
      refresh_token: `rt-${this.issued}`,
      expires_in: 3600,
      token_type: 'bearer',
    };
    return { status: 200, headers: {}, data };
  }
}

function tokenError(statusCode: number, body: Record<string, string>) {
  return new BoxApiError({
    message: `${statusCode}`,
    requestInfo: { method: 'POST', url: 'https://box/oauth2/token', queryParams: {}, headers: {} },
    responseInfo: { statusCode, headers: {}, body },
  });
}

describe('ConnectorAuth', () => {
  let store: Store;
  let vault: TokenVault;
  let endpoint: FakeTokenEndpoint;
  let events: RefreshEvent[];
  const auth = (extra: Partial<ConnectorAuthOptions> = {}) =>
    new ConnectorAuth({
      connectorId: 'c1',
      app: { clientId: 'id', clientSecret: 'secret' },
      vault,
      tokenSession: endpoint.session,
      mutex: new KeyedMutex(),
      pollMs: 2,
      onRefresh: (e) => events.push(e),
      ...extra,
    });

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    vault = new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(Buffer.alloc(32, 3)));
    endpoint = new FakeTokenEndpoint();
    events = [];
    await vault.save('c1', { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 3_600_000 });
  });
  afterEach(() => store.close());

  it('hands out the stored token while it has more than the margin left', async () => {
    expect(await auth().retrieveAuthorizationHeader()).toBe('Bearer at-0');
    expect(endpoint.issued).toBe(0);
  });

  it('refreshes first when the token expires within the margin', async () => {
    await vault.save('c1', { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 60_000 });
    expect(await auth().retrieveAuthorizationHeader()).toBe('Bearer at-1');
    expect(events).toMatchObject([{ trigger: 'expiring', outcome: 'refreshed', version: 3 }]);
    expect((await vault.load('c1'))?.refreshToken).toBe('rt-1');
  });

  it('uses half the lifetime as the margin for tokens shorter-lived than twice the margin', async () => {
    const now = Date.now();
    const token = { accessToken: 'at-0', refreshToken: 'rt-0', obtainedAt: now - 10_000 };
    // Two minutes of lifetime, 110 s left: more than half of it, no refresh (the 5-minute margin would).
    await vault.save('c1', { ...token, expiresAt: now + 110_000 });
    expect(await auth().retrieveAuthorizationHeader()).toBe('Bearer at-0');
    // Two minutes of lifetime, 20 s left: under half of it, refresh.
    await vault.save('c1', { ...token, obtainedAt: now - 100_000, expiresAt: now + 20_000 });
    expect(await auth().retrieveAuthorizationHeader()).toBe('Bearer at-1');
  });

  it('refreshes once for many concurrent rejections of the same token in one process', async () => {
    const a = auth();
    const requests = Array.from({ length: 5 }, () => a.forRequest());
    await Promise.all(requests.map((r) => r.retrieveAuthorizationHeader()));
    await Promise.all(requests.map((r) => r.refreshToken()));
    expect(endpoint.issued).toBe(1);
    expect(events.map((e) => e.outcome).sort()).toEqual([
      'adopted',
      'adopted',
      'adopted',
      'adopted',
      'refreshed',
    ]);
  });

  it('does not refresh again for a request that sent an older token than the one stored', async () => {
    const a = auth();
    const stale = a.forRequest();
    await stale.retrieveAuthorizationHeader();
    await a.forceRefresh();
    await stale.refreshToken();
    expect(endpoint.issued).toBe(1);
    expect(await stale.retrieveAuthorizationHeader()).toBe('Bearer at-1');
  });

  it('takes over the lease of a worker that died while refreshing', async () => {
    await new BoxTokensRepository(store.db).tryAcquireLease(
      'c1',
      'dead-worker',
      60_000,
      new Date(Date.now() - 120_000),
    );
    await auth().forceRefresh();
    expect(events).toMatchObject([{ outcome: 'refreshed', waited: false }]);
  });

  it('gives up with a retryable error when another worker holds the lease too long', async () => {
    await new BoxTokensRepository(store.db).tryAcquireLease('c1', 'slow-worker', 60_000);
    await expect(auth({ maxWaitMs: 30 }).forceRefresh()).rejects.toBeInstanceOf(RefreshWaitTimeoutError);
    expect(endpoint.issued).toBe(0);
  });

  it('adopts the pair another worker stored when its own refresh token was just spent', async () => {
    const other = auth();
    endpoint.beforeRefresh = async () => {
      endpoint.beforeRefresh = () => Promise.resolve();
      // Another worker whose lease expired refreshes first and stores rt-1.
      await other.forceRefresh();
    };
    const winnerLeaseFree = auth({ leaseMs: -1 });
    await winnerLeaseFree.forceRefresh();
    expect(events.map((e) => e.outcome)).toEqual(['refreshed', 'adopted']);
    expect((await vault.load('c1'))?.refreshToken).toBe('rt-1');
  });

  it('raises RefreshTokenRejectedError when Box rejects the refresh token, and frees the lease', async () => {
    await vault.save('c1', {
      accessToken: 'at-x',
      refreshToken: 'rt-revoked',
      expiresAt: Date.now() + 60_000,
    });
    const err = await auth()
      .retrieveToken()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefreshTokenRejectedError);
    expect(err).toMatchObject({ connectorId: 'c1', accessTokenRevoked: false });
    expect((err as Error).message).toMatch(/admin account/);
    expect((await new BoxTokensRepository(store.db).load('c1'))?.lease_owner).toBeNull();
  });

  it('marks a rejection of an unexpired access token as a revoked grant', async () => {
    await vault.save('c1', {
      accessToken: 'at-x',
      refreshToken: 'rt-revoked',
      expiresAt: Date.now() + 3_600_000,
    });
    const request = auth().forRequest();
    await request.retrieveAuthorizationHeader();
    await expect(request.refreshToken()).rejects.toMatchObject({ accessTokenRevoked: true });
  });

  it('reports a token endpoint outage as such and frees the lease for the next attempt', async () => {
    endpoint.failWith = { status: 503, body: {} };
    const err = await auth()
      .forceRefresh()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BoxTokenEndpointError);
    expect(err).toMatchObject({ status: 503 });
    expect(JSON.stringify({ ...(err as object) })).not.toContain('secret');
    endpoint.failWith = undefined;
    await auth().forceRefresh();
    expect(endpoint.issued).toBe(1);
  });

  it('counts refreshes by trigger and outcome: refreshed, adopted, rejected, failed', async () => {
    const value = async (trigger: string, outcome: string) =>
      (await tokenRefreshes.get()).values.find(
        (v) => v.labels.trigger === trigger && v.labels.outcome === outcome,
      )?.value ?? 0;
    const keys = [
      ['expiring', 'refreshed'],
      ['rejected', 'refreshed'],
      ['rejected', 'adopted'],
      ['expiring', 'rejected'],
      ['rejected', 'failed'],
    ] as const;
    const before = await Promise.all(keys.map(([t, o]) => value(t, o)));
    await vault.save('c1', { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.now() + 60_000 });
    await auth().retrieveToken(); // expiring -> refreshed
    const request = auth().forRequest();
    await request.retrieveAuthorizationHeader();
    await auth().forceRefresh(); // rejected -> refreshed
    await request.refreshToken(); // rejected, but a newer pair is stored -> adopted
    endpoint.failWith = { status: 503, body: {} };
    await expect(auth().forceRefresh()).rejects.toBeInstanceOf(BoxTokenEndpointError); // rejected -> failed
    endpoint.failWith = undefined;
    await vault.save('c1', {
      accessToken: 'at-x',
      refreshToken: 'rt-revoked',
      expiresAt: Date.now() + 60_000,
    });
    await expect(auth().retrieveToken()).rejects.toBeInstanceOf(RefreshTokenRejectedError); // expiring -> rejected
    const after = await Promise.all(keys.map(([t, o]) => value(t, o)));
    expect(after.map((a, i) => a - before[i]!)).toEqual([1, 1, 1, 1, 1]);
  });

  it('says the connector must be authorized when no token is stored', async () => {
    await vault.delete('c1');
    await expect(auth().retrieveToken()).rejects.toBeInstanceOf(BoxTokensMissingError);
  });
});
