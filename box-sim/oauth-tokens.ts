/**
 * OAuth 2.0 state: authorization codes (30 s, single use), access tokens (60 min by default) and refresh
 * tokens (60 days, single use, rotated on every refresh), as Box issues them.
 */
import { randomBytes } from 'node:crypto';
import { boxErrors } from './errors';

/** Lifetimes, in milliseconds. */
export interface TokenLifetimes {
  readonly authorizationCodeMs: number;
  readonly accessTokenMs: number;
  readonly refreshTokenMs: number;
}

/** Box's lifetimes. */
export const BOX_TOKEN_LIFETIMES: TokenLifetimes = {
  authorizationCodeMs: 30_000,
  accessTokenMs: 60 * 60_000,
  refreshTokenMs: 60 * 86_400_000,
};

/** The token endpoint's answer. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  restricted_to: never[];
  refresh_token: string;
  token_type: 'bearer';
}

interface CodeGrant {
  userIndex: number;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
}

interface AccessGrant {
  userIndex: number;
  clientId: string;
  expiresAt: number;
  revoked: boolean;
}

interface RefreshGrant extends AccessGrant {
  accessToken: string;
  used: boolean;
}

const newSecret = () => randomBytes(24).toString('base64url').replace(/[-_]/g, 'x').slice(0, 32);

/** Issues and checks codes and tokens. */
export class TokenStore {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly access = new Map<string, AccessGrant>();
  private readonly refresh = new Map<string, RefreshGrant>();

  constructor(
    private readonly now: () => number,
    private readonly lifetimes: TokenLifetimes,
  ) {}

  /** An authorization code for a user who clicked Allow. */
  issueCode(userIndex: number, clientId: string, redirectUri: string): string {
    const code = newSecret();
    this.codes.set(code, {
      userIndex,
      clientId,
      redirectUri,
      expiresAt: this.now() + this.lifetimes.authorizationCodeMs,
    });
    return code;
  }

  /** Exchanges a code (once) for tokens. */
  exchangeCode(code: string, clientId: string): TokenResponse {
    const grant = this.codes.get(code);
    if (!grant || grant.clientId !== clientId)
      throw boxErrors.invalidGrant("Auth code doesn't exist or is invalid for the client");
    this.codes.delete(code);
    if (grant.expiresAt <= this.now()) throw boxErrors.invalidGrant('The authorization code has expired');
    return this.issueTokens(grant.userIndex, clientId);
  }

  /** Exchanges a refresh token (once) for a new pair. */
  refreshTokens(refreshToken: string, clientId: string): TokenResponse {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.clientId !== clientId || grant.used || grant.revoked)
      throw boxErrors.invalidGrant('Invalid refresh token');
    if (grant.expiresAt <= this.now()) throw boxErrors.invalidGrant('Refresh token has expired');
    grant.used = true;
    const old = this.access.get(grant.accessToken);
    if (old) old.revoked = true;
    return this.issueTokens(grant.userIndex, clientId);
  }

  private issueTokens(userIndex: number, clientId: string): TokenResponse {
    const accessToken = newSecret();
    const refreshToken = newSecret();
    const now = this.now();
    this.access.set(accessToken, {
      userIndex,
      clientId,
      expiresAt: now + this.lifetimes.accessTokenMs,
      revoked: false,
    });
    this.refresh.set(refreshToken, {
      userIndex,
      clientId,
      accessToken,
      expiresAt: now + this.lifetimes.refreshTokenMs,
      revoked: false,
      used: false,
    });
    return {
      access_token: accessToken,
      expires_in: Math.round(this.lifetimes.accessTokenMs / 1000),
      restricted_to: [],
      refresh_token: refreshToken,
      token_type: 'bearer',
    };
  }

  /** Revokes an access or refresh token and its pair. */
  revoke(token: string): void {
    const access = this.access.get(token);
    if (access) access.revoked = true;
    const refresh = this.refresh.get(token);
    if (refresh) {
      refresh.revoked = true;
      const pair = this.access.get(refresh.accessToken);
      if (pair) pair.revoked = true;
    }
    for (const r of this.refresh.values()) if (r.accessToken === token) r.revoked = true;
  }

  /** The user behind a bearer token; throws UnauthorizedFault when it is unknown, expired or revoked. */
  authenticate(accessToken: string | undefined): { userIndex: number; clientId: string } {
    if (!accessToken) throw boxErrors.unauthorized('missing access token');
    const grant = this.access.get(accessToken);
    if (!grant || grant.revoked) throw boxErrors.unauthorized('invalid access token');
    if (grant.expiresAt <= this.now()) throw boxErrors.unauthorized('expired access token');
    return { userIndex: grant.userIndex, clientId: grant.clientId };
  }

  /** Expires access tokens now: one token, or every token when none is given. Returns how many. */
  expireAccessTokens(accessToken?: string): number {
    let n = 0;
    for (const [token, grant] of this.access) {
      if (accessToken !== undefined && token !== accessToken) continue;
      if (grant.expiresAt > this.now()) {
        grant.expiresAt = this.now() - 1;
        n++;
      }
    }
    return n;
  }

  /** Revokes every token an app holds (the admin removed the app); returns how many pairs. */
  removeApp(clientId?: string): number {
    let n = 0;
    for (const grant of this.access.values())
      if (clientId === undefined || grant.clientId === clientId) grant.revoked = true;
    for (const grant of this.refresh.values()) {
      if ((clientId === undefined || grant.clientId === clientId) && !grant.revoked) {
        grant.revoked = true;
        n++;
      }
    }
    return n;
  }
}
