/** Contract: rate limit (429 then success), injected faults, and the stats endpoint (calls at once too), through box-node-sdk. */
import { createHash } from 'node:crypto';
import { BoxClient } from 'box-node-sdk';
import { BoxSdkError } from 'box-node-sdk/box';
import type { FetchOptions, FetchResponse, RetryStrategy } from 'box-node-sdk/networking';
import { startBoxSim, type BoxSim, type SimStats } from '../../../box-sim';
import { connectAs, simSession } from './sdk-session';

/** Retries 429 and 5xx, waiting what retry-after says (the SDK's own strategy ignores it). */
class RetryAfterStrategy implements RetryStrategy {
  shouldRetry(_options: FetchOptions, response: FetchResponse, attempt: number): Promise<boolean> {
    return Promise.resolve(attempt < 5 && (response.status === 429 || response.status >= 500));
  }
  retryAfter(_options: FetchOptions, response: FetchResponse, attempt: number): number {
    const header = response.headers['retry-after'];
    return header !== undefined ? Number(header) : 0.01 * 2 ** attempt;
  }
}

describe('box-sim realism knobs', () => {
  let sim: BoxSim;

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 9, users: 5, files: 60, rateLimitPerMinute: 6000, rateLimitBurst: 2 });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.control.setFaults({});
    sim.resetStats();
  });

  test('over the per-user limit: 429 with retry-after and Box error body; a client honouring retry-after then succeeds', async () => {
    const { storage, auth } = await connectAs(sim, sim.manifest.admin.login);
    // One request per second: back-to-back calls are refused; honouring retry-after (1 s) passes.
    sim.control.setRateLimit(60, 1);
    sim.resetStats();
    const session = simSession(sim).withRetryStrategy(new RetryAfterStrategy());
    const client = new BoxClient({ auth, networkSession: session });
    for (let i = 0; i < 2; i++) expect((await client.users.getUserMe()).id).toBe(sim.manifest.admin.id);
    expect(sim.stats().byStatus['429']).toBeGreaterThan(0);
    expect(sim.stats().byStatus['200']).toBe(2);

    const token = (await storage.get())!.accessToken;
    let refused: Response | undefined;
    for (let i = 0; i < 5 && !refused; i++) {
      const answer = await fetch(`${sim.baseUrl}/2.0/users/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (answer.status === 429) refused = answer;
    }
    expect(refused).toBeDefined();
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused!.json()).toMatchObject({ type: 'error', status: 429, code: 'rate_limit_exceeded' });
  });

  test('the limit is per user: As-User calls count against the user acted as', async () => {
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    const users = sim.manifest.users.filter((u) => u.role === 'user' && u.inEnterprise).slice(0, 2);
    sim.control.setRateLimit(6000, 2);
    sim.resetStats();
    for (const u of users) for (let i = 0; i < 2; i++) await client.withAsUserHeader(u.id).users.getUserMe();
    const stats: SimStats = sim.stats();
    expect(stats.byStatus['429']).toBeUndefined();
    for (const u of users) expect(stats.byEndpointAndUser['GET /2.0/users/me']![u.id]).toBe(2);
  });

  test('injected 5xx errors are retried by the SDK; injected drops end in a network error', async () => {
    sim.control.setRateLimit(0);
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    sim.control.setFaults({ failNext: 2, errorStatus: 503 });
    expect((await client.users.getUserMe()).id).toBe(sim.manifest.admin.id);
    expect(sim.stats().faultsInjected).toBe(2);
    expect(sim.stats().byStatus['503']).toBe(2);
    sim.control.setFaults({ dropRate: 1 });
    await expect(client.users.getUserMe()).rejects.toBeInstanceOf(BoxSdkError);
    sim.control.setFaults({});
    expect((await client.users.getUserMe()).id).toBe(sim.manifest.admin.id);
  });

  test('slow downloads and latency still deliver the right bytes', async () => {
    sim.control.setRateLimit(0);
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    const truth = [...sim.manifest.files()].find(
      (f) => f.ownerId === sim.manifest.admin.id && f.size < 20_000,
    )!;
    sim.control.setFaults({ slowDownloadBytesPerSecond: 200_000 });
    sim.control.setLatency(5);
    const chunks: Buffer[] = [];
    for await (const c of (await client.downloads.downloadFile(truth.id))!)
      chunks.push(Buffer.from(c as Uint8Array));
    sim.control.setLatency(0);
    expect(createHash('sha1').update(Buffer.concat(chunks)).digest('hex')).toBe(truth.sha1);
  });

  test('mostAtOnce counts the requests in progress at once: concurrent calls, then one by one after a reset', async () => {
    sim.control.setRateLimit(0);
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    sim.control.setLatency(100);
    try {
      sim.resetStats();
      await Promise.all(Array.from({ length: 5 }, () => client.users.getUserMe()));
      expect(sim.stats().mostAtOnce).toBe(5);
      sim.resetStats();
      expect(sim.stats().mostAtOnce).toBe(0);
      for (let i = 0; i < 3; i++) await client.users.getUserMe();
      expect(sim.stats()).toMatchObject({ mostAtOnce: 1, total: 3 });
    } finally {
      sim.control.setLatency(0);
    }
  });

  test('the stats endpoint counts calls by endpoint and user; the control API changes knobs over HTTP', async () => {
    sim.control.setRateLimit(0);
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    await client.folders.getFolderItems('0');
    await client.users.getUsers();
    const stats = (await (await fetch(`${sim.baseUrl}/_sim/stats`)).json()) as SimStats;
    expect(stats.byEndpoint['GET /2.0/folders/:id/items']).toBe(1);
    expect(stats.byEndpoint['GET /2.0/users']).toBe(1);
    expect(stats.byEndpoint['POST /oauth2/token']).toBe(1);
    expect(stats.byUser[sim.manifest.admin.id]).toBe(2);
    const set = await fetch(`${sim.baseUrl}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: 1 }),
    });
    expect(await set.json()).toEqual({ failNext: 1 });
    const expire = await fetch(`${sim.baseUrl}/_sim/tokens/expire`, { method: 'POST' });
    expect(((await expire.json()) as { expired: number }).expired).toBeGreaterThan(0);
    sim.control.setFaults({});
  });
});
