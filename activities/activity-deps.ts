import type { Client } from '@temporalio/client';
import type { BoxClientPool } from '../box/box-client-pool';
import type { TokenVault } from '../box/token-vault';
import type { Config } from '../config/config';
import type { ConnectorsRepository } from '../store/connectors-repository';
import type { Store } from '../store/database';
import type { Mailer } from './mailer';

/** What the activities of one worker process share; the worker (the composition root) builds it. */
export interface ActivityDeps {
  config: Config;
  store: Store;
  connectors: ConnectorsRepository;
  vault: TokenVault;
  clients: BoxClientPool;
  /** A Temporal client: the scan starts the governance actions a new finding asks for (else the sweeper does). */
  temporal?: Client;
  /** E-mail of notify-owner (absent when no SMTP server is configured). */
  mailer?: Mailer;
}
