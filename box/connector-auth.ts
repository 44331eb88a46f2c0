import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Authentication, NetworkSession } from 'box-node-sdk/networking';
import type { AccessToken } from 'box-node-sdk/schemas/accessToken';
import type { BoxApp } from '../config/config';
import {
  BoxTokenEndpointError,
  BoxTokensMissingError,
  RefreshTokenRejectedError,
  RefreshWaitTimeoutError,
} from './box-errors';
import { tokenRefreshes } from '../telemetry/metrics';
import { processRefreshMutex, type KeyedMutex } from './keyed-mutex';
import { requestTokens, revokeToken } from './token-endpoint';
import type { StoredToken, TokenVault, VersionedToken } from './token-vault';

/** Why a refresh was asked for. */
export type RefreshTrigger = 'expiring' | 'rejected';

/** What one refresh request ended with: this process refreshed, or it adopted a pair another stored. */
export interface RefreshEvent {
  connectorId: string;
  trigger: RefreshTrigger;
  outcome: 'refreshed' | 'adopted';
  version: number;
  /** True when another holder of the store lease made this process wait. */
  waited: boolean;
}

/** Tuning of ConnectorAuth; the defaults suit production, tests shrink them. */
export interface ConnectorAuthOptions {
  connectorId: string;
  app: BoxApp;
  vault: TokenVault;
  /** Session for the token endpoint (base URLs, timeouts, retries); it sends no Authorization header. */
  tokenSession: NetworkSession;
  /** Refresh when less than this remains of the access token (default 5 min). */
  refreshMarginMs?: number;
  /** How long the store lease holds while one process refreshes (default 60 s; covers the token request). */
  leaseMs?: number;
  /** How long a process waits for another one's refresh before giving up (default 75 s). */
  maxWaitMs?: number;
  /** Pause between two looks at the store while waiting (default 100 ms, with jitter). */
  pollMs?: number;
  /** How long the token read from the store is reused before reading it again (default 30 s). */
  cacheMs?: number;
  /** Serializes refreshes inside this process (default: one mutex shared by the whole process). */
  mutex?: KeyedMutex;
  /** Lease owner name (default: host, pid and a random suffix). */
  owner?: string;
  now?: () => number;
  /** Called after each refresh request settles successfully (metrics, tests). */
  onRefresh?: (event: RefreshEvent) => void;
}

/**
 * box-node-sdk Authentication over the TokenVault. Refreshes before expiry and when Box rejects the access
 * token, serialized per connector: first by an in-process mutex, then by a lease row in the store that
 * works across processes. A process that loses the lease waits for the winner and adopts what it stored,
 * because Box refresh tokens are single use and a second refresh with the same one would break the link.
 */
export class ConnectorAuth implements Authentication {
  readonly connectorId: string;
  private readonly o: Required<Omit<ConnectorAuthOptions, 'onRefresh'>> &
    Pick<ConnectorAuthOptions, 'onRefresh'>;
  private cached?: { versioned: VersionedToken; readAt: number };

  constructor(options: ConnectorAuthOptions) {
    this.connectorId = options.connectorId;
    this.o = {
      refreshMarginMs: 5 * 60_000,
      leaseMs: 60_000,
      maxWaitMs: 75_000,
      pollMs: 100,
      cacheMs: 30_000,
      mutex: processRefreshMutex,
      owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      now: Date.now,
      // An option passed as undefined keeps its default.
      ...(Object.fromEntries(
        Object.entries(options).filter(([, v]) => v !== undefined),
      ) as ConnectorAuthOptions),
    };
  }

  /** The current access token, refreshed first when it expires within the margin. */
  async retrieveToken(): Promise<AccessToken> {
    return toAccessToken((await this.currentUsable()).token, this.o.now());
  }

  /** Called by the SDK after a 401: replaces the token held now unless another refresh already did. */
  async refreshToken(): Promise<AccessToken> {
    const held = await this.current();
    return toAccessToken((await this.refreshAfterRejection(held)).token, this.o.now());
  }

  /** `Bearer <access token>`. */
  async retrieveAuthorizationHeader(): Promise<string> {
    return `Bearer ${(await this.currentUsable()).token.accessToken}`;
  }

  /** Revokes the connector's grant at Box (its refresh token, which takes the access token with it). */
  async revokeToken(): Promise<undefined> {
    const stored = await this.o.vault.load(this.connectorId);
    if (stored) await revokeToken(this.o.tokenSession, this.o.app, stored.refreshToken);
    return undefined;
  }

  /** Not offered: connect-box never hands tokens to a third party. */
  downscopeToken(): Promise<AccessToken> {
    return Promise.reject(new Error('connect-box does not downscope Box tokens'));
  }

  /**
   * An Authentication for one request: it remembers which token version the request sent, so a 401
   * refreshes only if nobody has replaced that version yet (concurrent requests do not refresh twice).
   */
  forRequest(): Authentication {
    let sent: VersionedToken | undefined;
    return {
      retrieveToken: async () => toAccessToken((sent = await this.currentUsable()).token, this.o.now()),
      retrieveAuthorizationHeader: async () =>
        `Bearer ${(sent = await this.currentUsable()).token.accessToken}`,
      refreshToken: async () => {
        sent = await this.refreshAfterRejection(sent ?? (await this.current()));
        return toAccessToken(sent.token, this.o.now());
      },
      revokeToken: () => this.revokeToken(),
      downscopeToken: () => this.downscopeToken(),
    };
  }

  /**
   * Refreshes now unless a newer pair than the one held is stored (tests, "reconnect now" buttons);
   * returns the version now stored, never the token.
   */
  async forceRefresh(): Promise<{ version: number }> {
    return { version: (await this.refreshAfterRejection(await this.current())).version };
  }

  /** Drops the in-memory copy: the next call reads the store. */
  forget(): void {
    this.cached = undefined;
  }

  private async currentUsable(): Promise<VersionedToken> {
    const current = await this.current();
    const remaining = current.token.expiresAt - this.o.now();
    if (remaining > 0 && remaining >= this.marginFor(current.token)) return current;
    return this.refreshAfter(current.version, 'expiring', false);
  }

  /** The refresh margin, but at most half the token's lifetime: short-lived tokens must not refresh on every call. */
  private marginFor(token: StoredToken): number {
    if (token.obtainedAt === undefined) return this.o.refreshMarginMs;
    return Math.min(this.o.refreshMarginMs, (token.expiresAt - token.obtainedAt) / 2);
  }

  private refreshAfterRejection(held: VersionedToken): Promise<VersionedToken> {
    // Rejected before its expiry: the grant was revoked (app removed, admin deactivated), not aged out.
    return this.refreshAfter(held.version, 'rejected', held.token.expiresAt > this.o.now());
  }

  private async current(): Promise<VersionedToken> {
    if (this.cached && this.o.now() - this.cached.readAt < this.o.cacheMs) return this.cached.versioned;
    return this.reload();
  }

  private async reload(): Promise<VersionedToken> {
    const versioned = await this.o.vault.loadVersioned(this.connectorId);
    if (!versioned) {
      this.cached = undefined;
      throw new BoxTokensMissingError(this.connectorId);
    }
    this.cached = { versioned, readAt: this.o.now() };
    return versioned;
  }

  /** Makes sure a pair newer than `staleVersion` is stored, refreshing at most once across all processes. */
  private refreshAfter(staleVersion: number, trigger: RefreshTrigger, accessTokenRevoked: boolean) {
    return this.o.mutex
      .run(this.connectorId, () => this.refreshOnce(staleVersion, trigger, accessTokenRevoked))
      .catch((err: unknown) => {
        tokenRefreshes.inc({ trigger, outcome: refreshFailureOutcome(err) });
        throw err;
      });
  }

  private async refreshOnce(
    staleVersion: number,
    trigger: RefreshTrigger,
    accessTokenRevoked: boolean,
  ): Promise<VersionedToken> {
    const started = this.o.now();
    for (let waited = false; ; waited = true) {
      const stored = await this.reload();
      if (stored.version > staleVersion) return this.settled(stored, trigger, 'adopted', waited);
      if (await this.o.vault.tryAcquireLease(this.connectorId, this.o.owner, this.o.leaseMs)) {
        return this.refreshHoldingLease(staleVersion, trigger, accessTokenRevoked, waited);
      }
      if (this.o.now() - started > this.o.maxWaitMs) {
        throw new RefreshWaitTimeoutError(this.connectorId, this.o.now() - started);
      }
      await sleep(this.o.pollMs * (0.5 + Math.random()));
    }
  }

  private async refreshHoldingLease(
    staleVersion: number,
    trigger: RefreshTrigger,
    accessTokenRevoked: boolean,
    waited: boolean,
  ): Promise<VersionedToken> {
    let stored: VersionedToken;
    let fresh: StoredToken;
    try {
      // Another process may have stored a new pair between our read and our lease.
      stored = await this.reload();
      if (stored.version > staleVersion) {
        await this.o.vault.releaseLease(this.connectorId, this.o.owner);
        return this.settled(stored, trigger, 'adopted', waited);
      }
      fresh = await requestTokens(
        this.o.tokenSession,
        this.o.app,
        { grantType: 'refresh_token', refreshToken: stored.token.refreshToken },
        this.o.now,
      );
    } catch (err) {
      await this.o.vault.releaseLease(this.connectorId, this.o.owner);
      if (err instanceof BoxTokenEndpointError && err.oauthError === 'invalid_grant') {
        // A lease that expired under a slow refresher can let two refreshes overlap: if the other one
        // stored a pair, ours failing is harmless.
        const after = await this.reload();
        if (after.version > staleVersion) return this.settled(after, trigger, 'adopted', waited);
        throw new RefreshTokenRejectedError(this.connectorId, accessTokenRevoked, err.description);
      }
      throw err;
    }
    if (!(await this.o.vault.replaceIfVersion(this.connectorId, stored.version, fresh))) {
      // Someone stored a pair meanwhile (a new authorization): theirs wins, ours is dropped unused.
      return this.settled(await this.reload(), trigger, 'adopted', waited);
    }
    const versioned = { token: fresh, version: stored.version + 1 };
    this.cached = { versioned, readAt: this.o.now() };
    return this.settled(versioned, trigger, 'refreshed', waited);
  }

  private settled(
    versioned: VersionedToken,
    trigger: RefreshTrigger,
    outcome: RefreshEvent['outcome'],
    waited: boolean,
  ) {
    tokenRefreshes.inc({ trigger, outcome });
    this.o.onRefresh?.({
      connectorId: this.connectorId,
      trigger,
      outcome,
      version: versioned.version,
      waited,
    });
    return versioned;
  }
}

/** The outcome label of a refresh that threw. */
function refreshFailureOutcome(err: unknown): string {
  if (err instanceof RefreshTokenRejectedError) return 'rejected';
  if (err instanceof RefreshWaitTimeoutError) return 'wait_timeout';
  return 'failed';
}

function toAccessToken(token: StoredToken, now: number): AccessToken {
  return {
    accessToken: token.accessToken,
    refreshToken: token.refreshToken,
    expiresIn: Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
    tokenType: 'bearer',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
