import { createBoxClient, type BoxClientOptions, type ConnectedBoxClient } from './box-connection';
import { UserRateBudget } from './user-rate-budget';
import type { DataCenter } from '../domain/data-centers';

/** What every client of a pool shares: configuration, vault and tuning. */
export type BoxClientPoolOptions = Omit<BoxClientOptions, 'connectorId' | 'dataCenter'>;

/**
 * One BoxClient per connector for a worker process, so activities reuse the token already read (and the
 * HTTP agent) instead of building a client on every call. Safe to share: the clients are stateless apart
 * from that token cache, and refreshes are serialized anyway. Every client of the pool spends one
 * per-user rate budget (`rateBudget`, else one from `config.box.userCallsPerMinute`).
 */
export class BoxClientPool {
  private readonly clients = new Map<string, ConnectedBoxClient>();
  /** The process's per-user pacing of Box calls, shared by every connector's client. */
  readonly rateBudget: UserRateBudget;

  constructor(private readonly options: BoxClientPoolOptions) {
    this.rateBudget =
      options.rateBudget ??
      new UserRateBudget({ callsPerMinute: options.config.box.userCallsPerMinute ?? 0 });
  }

  /** The connector's client, created on first use. */
  get(connectorId: string, dataCenter: DataCenter): ConnectedBoxClient {
    const key = `${dataCenter}/${connectorId}`;
    let client = this.clients.get(key);
    if (!client) {
      client = createBoxClient({ ...this.options, rateBudget: this.rateBudget, connectorId, dataCenter });
      this.clients.set(key, client);
    }
    return client;
  }

  /** Drops the connector's client (after a disconnect or a new authorization). */
  forget(connectorId: string): void {
    for (const [key, client] of this.clients) {
      if (client.connectorAuth.connectorId === connectorId) this.clients.delete(key);
    }
  }
}
