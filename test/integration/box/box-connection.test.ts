import { createHash, randomBytes } from 'node:crypto';
import { startBoxSim, type BoxSim } from '../../../box-sim/index';
import {
  createBoxClient,
  exchangeAuthorizationCode,
  revokeConnectorTokens,
  type BoxClientOptions,
} from '../../../box/box-connection';
import { RefreshTokenRejectedError, describeBoxError } from '../../../box/box-errors';
import type { RefreshEvent } from '../../../box/connector-auth';
import { KeyedMutex } from '../../../box/keyed-mutex';
import type { TokenVault } from '../../../box/token-vault';
import { createTestStore } from '../../helpers/stores';
import { logAndCountBoxRetry, type BoxRetry } from '../../../box/box-retries';
import { createLogger } from '../../../telemetry/logger';
import { boxRetries } from '../../../telemetry/metrics';
import { authorizationCode, simConfig, vaultOver } from './box-test-kit';

const KEY_HEX = randomBytes(32).toString('hex');
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 50 };
/** The retries counted so far for one endpoint and status. */
async function retryCount(endpoint: string, status: string): Promise<number> {
  const { values } = await boxRetries.get();
  return values.find((v) => v.labels.endpoint === endpoint && v.labels.status === status)?.value ?? 0;
}
/** Times of a token issued 59 minutes ago: one minute left. */
const issuedAnHourAgo = () => ({ obtainedAt: Date.now() - 59 * 60_000, expiresAt: Date.now() + 60_000 });

describe('Box connection against box-sim', () => {
  let sim: BoxSim;
  let store: Awaited<ReturnType<typeof createTestStore>>;
  let vault: TokenVault;
  beforeAll(async () => {
    [sim, store] = await Promise.all([
      startBoxSim({ users: 6, files: 20, events: 10 }),
      createTestStore('sqlite'),
    ]);
    vault = vaultOver(store, KEY_HEX);
  });
  afterAll(async () => {
    await sim.close();
    await store.dispose();
  });
  afterEach(() => {
    sim.control.setFaults({});
    sim.control.setLatency(0);
    sim.control.setRateLimit(0);
  });

  const connect = async (connectorId: string, login?: string) => {
    const code = await authorizationCode(sim, login);
    await exchangeAuthorizationCode({ config: simConfig(sim), dataCenter: 'US1', connectorId, code, vault });
  };
  const client = (connectorId: string, extra: Partial<BoxClientOptions> = {}) => {
    const events: RefreshEvent[] = [];
    const c = createBoxClient({
      config: simConfig(sim),
      dataCenter: 'US1',
      connectorId,
      vault,
      retry: FAST_RETRY,
      auth: { mutex: new KeyedMutex(), onRefresh: (e) => events.push(e) },
      ...extra,
    });
    return Object.assign(c, { events });
  };

  it('exchanges a code from the consent page and calls Box as the admin who allowed it', async () => {
    await connect('c-basic');
    const stored = await vault.load('c-basic');
    expect(stored?.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
    const row = await store.db
      .selectFrom('box_tokens')
      .selectAll()
      .where('connector_id', '=', 'c-basic')
      .executeTakeFirst();
    expect(row?.sealed_token).not.toContain(stored!.refreshToken);
    expect(row?.sealed_token).not.toContain(stored!.accessToken);
    const me = await client('c-basic').users.getUserMe();
    expect(me.login).toBe(sim.manifest.admin.login);
  });

  it('tells the user an authorization code was already used', async () => {
    const code = await authorizationCode(sim);
    const opts = { config: simConfig(sim), dataCenter: 'US1' as const, connectorId: 'c-code', code, vault };
    await exchangeAuthorizationCode(opts);
    const err = await exchangeAuthorizationCode(opts).catch((e: unknown) => e);
    expect(describeBoxError(err)).toMatchObject({ kind: 'InvalidAuthorizationCode', retryable: false });
  });

  it('refreshes after a 401 and retries the call', async () => {
    await connect('c-401');
    const c = client('c-401');
    await c.users.getUserMe();
    const before = await vault.loadVersioned('c-401');
    sim.control.expireAccessTokens(before!.token.accessToken);
    expect((await c.users.getUserMe()).login).toBe(sim.manifest.admin.login);
    expect(c.events).toMatchObject([
      { trigger: 'rejected', outcome: 'refreshed', version: before!.version + 1 },
    ]);
  });

  it('refreshes before calling when less than five minutes remain', async () => {
    await connect('c-expiring');
    const token = (await vault.load('c-expiring'))!;
    await vault.save('c-expiring', { ...token, ...issuedAnHourAgo() });
    const c = client('c-expiring');
    await c.users.getUserMe();
    expect(c.events).toMatchObject([{ trigger: 'expiring', outcome: 'refreshed' }]);
    expect((await vault.load('c-expiring'))!.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it('acts as another user and keeps its request timeout', async () => {
    await connect('c-asuser');
    const user = sim.manifest.users.find((u) => u.inEnterprise && u.role === 'user')!;
    const c = client('c-asuser', { requestTimeoutMs: 100, retry: { ...FAST_RETRY, maxAttempts: 2 } });
    expect((await c.withAsUserHeader(user.id).users.getUserMe()).id).toBe(user.id);
    sim.control.setLatency(400);
    const err = await c
      .withAsUserHeader(user.id)
      .users.getUserMe()
      .catch((e: unknown) => e);
    expect(describeBoxError(err)).toMatchObject({ kind: 'Timeout', retryable: true });
  });

  it('retries Box 5xx answers and succeeds', async () => {
    await connect('c-5xx');
    const c = client('c-5xx');
    await c.users.getUserMe();
    sim.resetStats();
    sim.control.setFaults({ failNext: 2, errorStatus: 503 });
    expect((await c.users.getUserMe()).login).toBe(sim.manifest.admin.login);
    expect(sim.stats()).toMatchObject({ faultsInjected: 2 });
  });

  it('waits as long as retry-after says when rate limited, then succeeds', async () => {
    await connect('c-429');
    const c = client('c-429');
    await c.users.getUserMe();
    sim.resetStats();
    sim.control.setRateLimit(60, 1);
    await c.users.getUserMe();
    expect((await c.users.getUserMe()).login).toBe(sim.manifest.admin.login);
    expect(sim.stats().rateLimited).toBeGreaterThanOrEqual(1);
  });

  it('downloads a file, retrying a 202 (not ready yet) after its retry-after', async () => {
    await connect('c-202');
    const file = [...sim.manifest.files({ activeOnly: true })][0]!;
    const c = client('c-202', { retry: { ...FAST_RETRY, maxAttempts: 2 } }).withAsUserHeader(file.ownerId);
    const stream = (await c.downloads.downloadFile(file.id)) as AsyncIterable<Buffer> | undefined;
    const sha1 = createHash('sha1');
    for await (const chunk of stream!) sha1.update(chunk);
    expect(sha1.digest('hex')).toBe(file.sha1);
    sim.resetStats();
    sim.control.setFaults({ notReadyRate: 1 });
    // Still not ready after the second attempt: the SDK gives up and says so with `undefined`.
    expect(await c.downloads.downloadFile(file.id)).toBeUndefined();
    expect(sim.stats().byStatus).toEqual({ '202': 2 });
  });

  it('does not retry a 404', async () => {
    await connect('c-404');
    const c = client('c-404');
    await c.users.getUserMe();
    sim.resetStats();
    const err = await c.folders.getFolderItems('987654321987').catch((e: unknown) => e);
    expect(describeBoxError(err)).toMatchObject({ kind: 'NotFound', status: 404, retryable: false });
    expect(sim.stats().byStatus).toEqual({ '404': 1 });
    // The error keeps no secret a logger could print.
    const { accessToken } = (await vault.load('c-404'))!;
    expect(JSON.stringify({ ...(err as object) })).not.toContain(accessToken);
    expect(JSON.stringify({ ...(err as object) })).toContain('not_found');
  });

  it('reports a rejected refresh token as InvalidRefreshToken, without the token in the message', async () => {
    await connect('c-invalid');
    const token = (await vault.load('c-invalid'))!;
    sim.control.revokeToken(token.refreshToken);
    await vault.save('c-invalid', { ...token, ...issuedAnHourAgo() });
    const err = await client('c-invalid')
      .users.getUserMe()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefreshTokenRejectedError);
    expect(String(err)).not.toContain(token.refreshToken);
    expect(describeBoxError(err)).toMatchObject({ kind: 'InvalidRefreshToken', retryable: false });
    expect(describeBoxError(err).nextStep).toMatch(/admin account/);
  });

  it('revokes the grant at Box and forgets the tokens on disconnect', async () => {
    await connect('c-revoke');
    const token = (await vault.load('c-revoke'))!;
    const outcome = await revokeConnectorTokens({
      config: simConfig(sim),
      dataCenter: 'US1',
      connectorId: 'c-revoke',
      vault,
    });
    expect(outcome).toEqual({ revoked: true });
    expect(await vault.load('c-revoke')).toBeUndefined();
    // The revoked refresh token no longer works at Box.
    await vault.save('c-revoke', { ...token, expiresAt: Date.now() });
    await expect(client('c-revoke').users.getUserMe()).rejects.toBeInstanceOf(RefreshTokenRejectedError);
  });

  it('forgets the tokens even when Box cannot be reached to revoke them', async () => {
    await connect('c-revoke-offline');
    const config = simConfig(sim);
    const offline = { box: { ...config.box, apiBaseUrl: 'http://127.0.0.1:9' } };
    const outcome = await revokeConnectorTokens({
      config: offline,
      dataCenter: 'US1',
      connectorId: 'c-revoke-offline',
      vault,
    });
    expect(outcome.revoked).toBe(false);
    expect(await vault.load('c-revoke-offline')).toBeUndefined();
  });

  it('shows a personal account as one without an enterprise, and refuses it the user list', async () => {
    const personal = sim.manifest.users.find((u) => !u.inEnterprise)!;
    await connect('c-personal', personal.login);
    const c = client('c-personal');
    const me = await c.users.getUserMe({ fields: ['enterprise', 'role'] });
    expect(me.enterprise ?? undefined).toBeUndefined();
    const err = await c.users.getUsers().catch((e: unknown) => e);
    expect(describeBoxError(err)).toMatchObject({ kind: 'Forbidden', status: 403, retryable: false });
  });

  it('reports every retry of a 5xx and a 429 with connector, user, endpoint, status and wait', async () => {
    await connect('c-retries');
    const retries: BoxRetry[] = [];
    const c = client('c-retries', { retry: { ...FAST_RETRY, onRetry: (r) => retries.push(r) } });
    const me = await c.users.getUserMe();
    sim.control.setFaults({ failNext: 2, errorStatus: 503 });
    await c.folders.getFolderItems('0');
    expect(retries).toEqual([
      expect.objectContaining({
        connectorId: 'c-retries',
        user: 'admin',
        method: 'GET',
        status: 503,
        attempt: 1,
      }),
      expect.objectContaining({
        connectorId: 'c-retries',
        user: 'admin',
        method: 'GET',
        status: 503,
        attempt: 2,
      }),
    ]);
    expect(retries[0]!.endpoint).toBe('/2.0/folders/:id/items');
    expect(retries[1]!.waitMs).toBeGreaterThanOrEqual(retries[0]!.waitMs);

    retries.length = 0;
    sim.control.setFaults({});
    const user = sim.manifest.users.find((u) => u.role === 'user' && u.inEnterprise && u.id !== me.id)!;
    sim.control.setRateLimit(60, 1); // one call a second per user: the second is refused with retry-after 1
    const asUser = c.withAsUserHeader(user.id);
    await asUser.users.getUserMe();
    await asUser.users.getUserMe();
    expect(retries).toEqual([
      expect.objectContaining({
        connectorId: 'c-retries',
        user: user.id,
        endpoint: '/2.0/users/me',
        status: 429,
        waitMs: 1000,
      }),
    ]);
  });

  it('logs and counts retries by default', async () => {
    await connect('c-retry-log');
    const before = await retryCount('GET /2.0/users/me', '502');
    const lines: string[] = [];
    const observer = logAndCountBoxRetry(
      createLogger('box', { write: (line: string) => void lines.push(line) }, 'info'),
    );
    const c = client('c-retry-log', { retry: { ...FAST_RETRY, onRetry: observer } });
    sim.control.setFaults({ failNext: 1, errorStatus: 502 });
    await c.users.getUserMe();
    expect(await retryCount('GET /2.0/users/me', '502')).toBe(before + 1);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 'warn',
        component: 'box',
        event: 'box_retry',
        connectorId: 'c-retry-log',
        endpoint: '/2.0/users/me',
        status: 502,
      }),
    ]);
    expect(lines.join('')).not.toMatch(/Bearer|access_token|refresh_token/);
  });

  it('reports an app removed by the admin as AppRemoved (last: it revokes every token of the simulator)', async () => {
    await connect('c-removed');
    const c = client('c-removed');
    await c.users.getUserMe();
    sim.control.removeApp();
    const err = await c.users.getUserMe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefreshTokenRejectedError);
    expect(describeBoxError(err)).toMatchObject({ kind: 'AppRemoved', retryable: false });
  });
});
