import { BoxClientPool } from '../box/box-client-pool';
import { TokenCipher, resolveKeyRing } from '../box/token-cipher';
import { TokenVault } from '../box/token-vault';
import type { Config } from '../config/config';
import { BoxTokensRepository } from '../store/box-tokens-repository';
import { ConnectorsRepository } from '../store/connectors-repository';
import { openStore } from '../store/database';
import type { ActivityDeps } from '../activities/activity-deps';
import { createSmtpMailer } from '../activities/mailer';

/** Everything activities share inside one worker process (what activities/ asks for, built here). */
export type WorkerDeps = ActivityDeps;

/** Opens the store (migrating it) and builds the token vault and the per-connector Box clients. */
export async function createWorkerDeps(config: Config): Promise<WorkerDeps> {
  const store = await openStore(config.databaseUrl);
  const vault = new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(resolveKeyRing(config)));
  return {
    config,
    store,
    connectors: new ConnectorsRepository(store.db),
    vault,
    clients: new BoxClientPool({ config, vault }),
    ...(config.smtp.host && { mailer: createSmtpMailer(config) }),
  };
}
