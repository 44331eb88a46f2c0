/**
 * A stand-in for one worker process in the concurrent-refresh test: opens the shared store, builds its own
 * Box client (own process, own in-process mutex), prints `ready`, waits for `go` on stdin, refreshes or
 * calls Box, then calls Box again and prints what happened as one JSON line.
 */
import { createInterface } from 'node:readline';
import { createBoxClient } from '../../../box/box-connection';
import { describeBoxError } from '../../../box/box-errors';
import type { RefreshEvent } from '../../../box/connector-auth';
import { TokenCipher } from '../../../box/token-cipher';
import { TokenVault, type StoredToken } from '../../../box/token-vault';
import { BoxTokensRepository } from '../../../store/box-tokens-repository';
import { openStore } from '../../../store/database';

/**
 * The real vault, with two test knobs: SLOW_STORE_MS holds a refreshed pair back before storing it (so the
 * other worker surely arrives while the refresh is in flight), NO_LEASE=1 pretends every lease is free
 * (the control experiment: what happens without cross-process serialization).
 */
class InstrumentedVault extends TokenVault {
  constructor(
    repo: BoxTokensRepository,
    cipher: TokenCipher,
    private readonly slowStoreMs: number,
    private readonly noLease: boolean,
  ) {
    super(repo, cipher);
  }

  override async replaceIfVersion(connectorId: string, expectedVersion: number, token: StoredToken) {
    await new Promise((resolve) => setTimeout(resolve, this.slowStoreMs));
    return super.replaceIfVersion(connectorId, expectedVersion, token);
  }

  override tryAcquireLease(connectorId: string, owner: string, leaseMs: number) {
    return this.noLease ? Promise.resolve(true) : super.tryAcquireLease(connectorId, owner, leaseMs);
  }
}

async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`refresh-worker: ${name} is not set`);
    return value;
  };
  const store = await openStore(env('STORE_URL'), { migrate: false });
  const events: RefreshEvent[] = [];
  const client = createBoxClient({
    config: {
      box: {
        apiBaseUrl: env('SIM_BASE_URL'),
        uploadBaseUrl: `${env('SIM_BASE_URL')}/upload`,
        authorizeUrl: `${env('SIM_BASE_URL')}/api/oauth2/authorize`,
        apps: { US1: { clientId: env('SIM_CLIENT_ID'), clientSecret: env('SIM_CLIENT_SECRET') } },
        webhookPrimaryKey: 'unused',
      },
    },
    dataCenter: 'US1',
    connectorId: env('CONNECTOR_ID'),
    vault: new InstrumentedVault(
      new BoxTokensRepository(store.db),
      new TokenCipher(Buffer.from(env('KEY_HEX'), 'hex')),
      Number(process.env.SLOW_STORE_MS ?? 0),
      process.env.NO_LEASE === '1',
    ),
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    auth: { pollMs: 10, onRefresh: (e) => events.push(e) },
  });
  try {
    // Hold the current token, as a busy worker would (except when the test wants it read at `go`).
    if (env('MODE') !== 'expiring') await client.connectorAuth.retrieveToken();
    console.log(JSON.stringify({ ready: true }));
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) if (line.trim() === 'go') break;
    lines.close();
    if (env('MODE') === 'force') await client.connectorAuth.forceRefresh();
    const first = await client.users.getUserMe();
    const second = await client.users.getUserMe();
    console.log(JSON.stringify({ ok: true, logins: [first.login, second.login], events }));
  } catch (err) {
    console.log(JSON.stringify({ ok: false, error: describeBoxError(err), message: String(err), events }));
  } finally {
    await store.close();
  }
}

void main();
