import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startBoxSim, type BoxSim } from '../../../box-sim/index';
import { createBoxClient, exchangeAuthorizationCode } from '../../../box/box-connection';
import { BoxTokenEndpointError } from '../../../box/box-errors';
import type { RefreshEvent } from '../../../box/connector-auth';
import { KeyedMutex } from '../../../box/keyed-mutex';
import { requestTokens } from '../../../box/token-endpoint';
import { createNetworkSession } from '../../../box/box-connection';
import { DIALECTS } from '../../helpers/stores';
import {
  authorizationCode,
  createSharedStore,
  simConfig,
  vaultOver,
  type SharedTestStore,
} from './box-test-kit';

const KEY_HEX = randomBytes(32).toString('hex');
const WORKER = join(__dirname, 'refresh-worker.ts');

interface WorkerResult {
  ok: boolean;
  logins?: string[];
  events: RefreshEvent[];
  error?: { kind: string };
  message?: string;
}

/** One worker process: resolves `ready` once it holds the current token, `result` once it is done. */
function startWorker(env: Record<string, string>) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const result = new Promise<WorkerResult>((resolve, reject) => {
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const message = JSON.parse(line) as { ready?: boolean } & WorkerResult;
      if (message.ready) onReady();
      else resolve(message);
    });
    child.on('exit', (code) =>
      reject(new Error(`refresh worker exited (${code}) without a result: ${stderr}`)),
    );
  });
  return { ready, result, go: () => child.stdin.write('go\n') };
}

describe('refreshing one connector from several workers', () => {
  let sim: BoxSim;
  beforeAll(async () => {
    sim = await startBoxSim({ users: 5, files: 10, events: 10 });
  });
  afterAll(() => sim.close());

  it('box-sim, like Box, accepts a refresh token only once (so the tests below are not vacuous)', async () => {
    const session = createNetworkSession(simConfig(sim));
    const app = { clientId: sim.clientId, clientSecret: sim.clientSecret };
    const first = await requestTokens(session, app, {
      grantType: 'authorization_code',
      code: await authorizationCode(sim),
    });
    const grant = { grantType: 'refresh_token', refreshToken: first.refreshToken } as const;
    const outcomes = await Promise.allSettled([
      requestTokens(session, app, grant),
      requestTokens(session, app, grant),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(BoxTokenEndpointError);
    expect((failure.reason as BoxTokenEndpointError).oauthError).toBe('invalid_grant');
  });

  for (const dialect of DIALECTS) {
    describe(`${dialect}`, () => {
      let shared: SharedTestStore;
      beforeAll(async () => {
        shared = await createSharedStore(dialect);
      });
      afterAll(() => shared.dispose());

      const connect = async (connectorId: string) => {
        const vault = vaultOver(shared.store, KEY_HEX);
        const config = simConfig(sim);
        await exchangeAuthorizationCode({
          config,
          dataCenter: 'US1',
          connectorId,
          vault,
          code: await authorizationCode(sim),
        });
        return { vault, config };
      };

      const runWorkers = async (
        connectorId: string,
        mode: 'force' | 'call' | 'expiring',
        beforeGo: () => void,
        knobs: Record<string, string> = {},
      ) => {
        const env = {
          ...knobs,
          STORE_URL: shared.url,
          SIM_BASE_URL: sim.baseUrl,
          SIM_CLIENT_ID: sim.clientId,
          SIM_CLIENT_SECRET: sim.clientSecret,
          KEY_HEX,
          CONNECTOR_ID: connectorId,
          MODE: mode,
        };
        const workers = [startWorker(env), startWorker(env)];
        await Promise.all(workers.map((w) => w.ready));
        beforeGo();
        for (const w of workers) w.go();
        return Promise.all(workers.map((w) => w.result));
      };

      const expectConnectionSurvives = async (connectorId: string, results: WorkerResult[]) => {
        for (const r of results) {
          expect(r).toMatchObject({ ok: true });
          expect(r.logins).toEqual([sim.manifest.admin.login, sim.manifest.admin.login]);
        }
        // Exactly one worker spent the refresh token; the other adopted what it stored.
        const outcomes = results.flatMap((r) => r.events.map((e) => e.outcome)).sort();
        expect(outcomes).toEqual(['adopted', 'refreshed']);
        // The refresh token now stored still works: a later refresh (a third worker) succeeds.
        const events: RefreshEvent[] = [];
        const client = createBoxClient({
          config: simConfig(sim),
          dataCenter: 'US1',
          connectorId,
          vault: vaultOver(shared.store, KEY_HEX),
          auth: { mutex: new KeyedMutex(), onRefresh: (e) => events.push(e) },
        });
        await client.connectorAuth.forceRefresh();
        expect(events.map((e) => e.outcome)).toEqual(['refreshed']);
        expect((await client.users.getUserMe()).login).toBe(sim.manifest.admin.login);
      };

      it('two worker processes force a refresh at the same time and the connection survives', async () => {
        const connectorId = `force-${dialect}`;
        await connect(connectorId);
        // The winner holds its new pair back 500 ms, so the other worker surely finds the refresh in flight.
        const results = await runWorkers(connectorId, 'force', () => undefined, { SLOW_STORE_MS: '500' });
        await expectConnectionSurvives(connectorId, results);
        const adopted = results.flatMap((r) => r.events).find((e) => e.outcome === 'adopted');
        expect(adopted).toMatchObject({ waited: true });
      });

      it('control: without the store lease the same race makes a worker see its refresh token rejected', async () => {
        const connectorId = `nolease-${dialect}`;
        await connect(connectorId);
        const results = await runWorkers(connectorId, 'force', () => undefined, {
          SLOW_STORE_MS: '500',
          NO_LEASE: '1',
        });
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.find((r) => !r.ok)?.message).toMatch(
          /RefreshTokenRejectedError|rejected the refresh token/,
        );
      });

      it('two worker processes meet a 401 at the same time, refresh once, and the connection survives', async () => {
        const connectorId = `expired-${dialect}`;
        await connect(connectorId);
        const results = await runWorkers(connectorId, 'call', () => sim.control.expireAccessTokens(), {
          SLOW_STORE_MS: '300',
        });
        await expectConnectionSurvives(connectorId, results);
        expect(results.flatMap((r) => r.events.map((e) => e.trigger))).toEqual(['rejected', 'rejected']);
      });

      it('two worker processes find the token about to expire at the same time, refresh once, and survive', async () => {
        const connectorId = `expiring-${dialect}`;
        const { vault } = await connect(connectorId);
        const token = (await vault.load(connectorId))!;
        await vault.save(connectorId, {
          ...token,
          obtainedAt: Date.now() - 59 * 60_000,
          expiresAt: Date.now() + 60_000,
        });
        const results = await runWorkers(connectorId, 'expiring', () => undefined, { SLOW_STORE_MS: '300' });
        await expectConnectionSurvives(connectorId, results);
        expect(results.flatMap((r) => r.events.map((e) => e.trigger))).toEqual(['expiring', 'expiring']);
      });

      it('four clients with independent mutexes in one process refresh together and stay connected', async () => {
        const connectorId = `clients-${dialect}`;
        const { config } = await connect(connectorId);
        for (let round = 0; round < 3; round++) {
          const events: RefreshEvent[] = [];
          const clients = Array.from({ length: 4 }, () =>
            createBoxClient({
              config,
              dataCenter: 'US1',
              connectorId,
              vault: vaultOver(shared.store, KEY_HEX),
              auth: { mutex: new KeyedMutex(), pollMs: 5, onRefresh: (e) => events.push(e) },
            }),
          );
          await Promise.all(clients.map((c) => c.connectorAuth.retrieveToken()));
          await Promise.all(clients.map((c) => c.connectorAuth.forceRefresh()));
          expect(events.filter((e) => e.outcome === 'refreshed')).toHaveLength(1);
          const logins = await Promise.all(clients.map(async (c) => (await c.users.getUserMe()).login));
          expect(new Set(logins)).toEqual(new Set([sim.manifest.admin.login]));
        }
      });
    });
  }
});
