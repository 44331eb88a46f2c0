import type { BoxTokensRepository } from '../store/box-tokens-repository';
import type { TokenCipher } from './token-cipher';

/** A connector's Box tokens in clear (only ever in memory). */
export interface StoredToken {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (epoch ms). */
  expiresAt: number;
  /** When Box issued this pair (epoch ms); refresh tokens live 60 days from here. */
  obtainedAt?: number;
}

/** What TokenVault.resealAll did. */
export interface ResealReport {
  resealed: number;
  alreadyCurrent: number;
  /** Refreshed by a worker while re-sealing: already sealed with the key that worker has. */
  changedMeanwhile: number;
  failed: Array<{ connectorId: string; reason: string }>;
}

/** A stored token with its version: every newly stored pair gets a higher one. */
export interface VersionedToken {
  token: StoredToken;
  version: number;
}

/**
 * Box tokens at rest: sealed with AES-256-GCM (bound to the connector id) in the store, so neither the
 * database nor workflow history ever holds them in clear. Also exposes the refresh lease of the store.
 */
export class TokenVault {
  constructor(
    private readonly repo: BoxTokensRepository,
    private readonly cipher: TokenCipher,
  ) {}

  /** Stores a new pair for the connector (after an OAuth exchange), replacing any earlier one. */
  async save(connectorId: string, token: StoredToken): Promise<void> {
    await this.repo.save(connectorId, this.seal(connectorId, token), new Date(token.expiresAt));
  }

  /** The connector's tokens, or undefined when it has none. */
  async load(connectorId: string): Promise<StoredToken | undefined> {
    return (await this.loadVersioned(connectorId))?.token;
  }

  /** The connector's tokens with their version, or undefined when it has none. */
  async loadVersioned(connectorId: string): Promise<VersionedToken | undefined> {
    const row = await this.repo.load(connectorId);
    if (!row) return undefined;
    return { token: this.open(connectorId, row.sealed_token), version: row.version };
  }

  /** Stores a refreshed pair only if the stored version is still `expectedVersion`; also drops the lease. */
  replaceIfVersion(connectorId: string, expectedVersion: number, token: StoredToken): Promise<boolean> {
    return this.repo.replaceIfVersion(
      connectorId,
      expectedVersion,
      this.seal(connectorId, token),
      new Date(token.expiresAt),
    );
  }

  /** Takes the connector's refresh lease for `leaseMs` when nobody else holds it; true when taken. */
  tryAcquireLease(connectorId: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.repo.tryAcquireLease(connectorId, owner, leaseMs);
  }

  /** Gives the refresh lease back if `owner` still holds it. */
  releaseLease(connectorId: string, owner: string): Promise<void> {
    return this.repo.releaseLease(connectorId, owner);
  }

  /** Forgets the connector's tokens. */
  delete(connectorId: string): Promise<void> {
    return this.repo.delete(connectorId);
  }

  /**
   * Re-seals every stored token that is not sealed with the current key (after a key rotation, with the old
   * key in ENCRYPTION_KEYS). A token that cannot be opened is reported, never dropped.
   */
  async resealAll(): Promise<ResealReport> {
    const report: ResealReport = { resealed: 0, alreadyCurrent: 0, changedMeanwhile: 0, failed: [] };
    for (const row of await this.repo.listSealed()) {
      if (!this.cipher.needsReseal(row.sealed_token)) {
        report.alreadyCurrent++;
        continue;
      }
      let resealed: string;
      try {
        resealed = this.seal(row.connector_id, this.open(row.connector_id, row.sealed_token));
      } catch (err) {
        report.failed.push({
          connectorId: row.connector_id,
          reason: err instanceof Error ? err.message : String(err),
        });
        continue;
      }
      if (await this.repo.resealIf(row.connector_id, row.sealed_token, resealed)) report.resealed++;
      else report.changedMeanwhile++;
    }
    return report;
  }

  private seal(connectorId: string, token: StoredToken): string {
    const { accessToken, refreshToken, expiresAt, obtainedAt } = token;
    return this.cipher.encrypt(
      JSON.stringify({ accessToken, refreshToken, expiresAt, obtainedAt }),
      connectorId,
    );
  }

  private open(connectorId: string, sealed: string): StoredToken {
    return JSON.parse(this.cipher.decrypt(sealed, connectorId)) as StoredToken;
  }
}
