import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { dropDatabaseOnceIdle } from '../../helpers/stores';
import type { Config } from '../../../config/config';
import { TokenCipher } from '../../../box/token-cipher';
import { TokenVault } from '../../../box/token-vault';
import { BoxTokensRepository } from '../../../store/box-tokens-repository';
import { openStore, type Dialect, type Store } from '../../../store/database';
import type { BoxSim } from '../../../box-sim/index';

/** The `box` part of the configuration pointing at a running box-sim (data centre US1). */
export function simConfig(sim: BoxSim): Pick<Config, 'box'> {
  return {
    box: {
      apiBaseUrl: sim.baseUrl,
      uploadBaseUrl: sim.uploadUrl,
      authorizeUrl: `${sim.oauth2Url}/authorize`,
      apps: { US1: { clientId: sim.clientId, clientSecret: sim.clientSecret } },
      webhookPrimaryKey: sim.webhookPrimaryKey,
    },
  };
}

/** An authorization code, obtained the way a browser does: by submitting box-sim's consent form. */
export async function authorizationCode(sim: BoxSim, login = sim.manifest.admin.login): Promise<string> {
  const form = new URLSearchParams({
    client_id: sim.clientId,
    redirect_uri: 'http://127.0.0.1:3000/oauth/box/callback',
    response_type: 'code',
    state: 'test-state',
    login,
    action: 'allow',
  });
  const res = await fetch(`${sim.oauth2Url}/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const location = res.headers.get('location');
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (res.status !== 302 || !code)
    throw new Error(`box-sim consent did not redirect with a code (${res.status})`);
  return code;
}

/** A throwaway store that other processes can open too: a SQLite file, or a fresh PostgreSQL database. */
export interface SharedTestStore {
  url: string;
  store: Store;
  dispose(): Promise<void>;
}

const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates and migrates a SharedTestStore of the dialect. */
export async function createSharedStore(dialect: Dialect): Promise<SharedTestStore> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cb-box-'));
    const url = `sqlite:${join(dir, 'store.sqlite')}`;
    const store = await openStore(url);
    return {
      url,
      store,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `cb_box_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = await openStore(url.toString());
  return {
    url: url.toString(),
    store,
    dispose: async () => {
      await store.close();
      await dropDatabaseOnceIdle(name);
    },
  };
}

/** A TokenVault over a store, sealing with the given key. */
export function vaultOver(store: Store, keyHex: string): TokenVault {
  return new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(Buffer.from(keyHex, 'hex')));
}

async function withAdmin(fn: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
