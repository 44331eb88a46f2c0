import { AuthorizationManager } from 'box-node-sdk/managers';
import type { NetworkSession } from 'box-node-sdk/networking';
import type { BoxApp } from '../config/config';
import { BoxTokenEndpointError } from './box-errors';
import { retryAfterHeaderMs } from './retry-strategy';
import type { StoredToken } from './token-vault';

/** A grant to exchange at POST {baseUrl}/oauth2/token. */
export type TokenGrant =
  { grantType: 'authorization_code'; code: string } | { grantType: 'refresh_token'; refreshToken: string };

const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;

/**
 * Exchanges a grant for a new token pair through box-node-sdk. Failures become BoxTokenEndpointError,
 * which, unlike the SDK's error, does not carry the request body (client secret, refresh token).
 */
export async function requestTokens(
  networkSession: NetworkSession,
  app: BoxApp,
  grant: TokenGrant,
  now: () => number = Date.now,
): Promise<StoredToken> {
  const manager = new AuthorizationManager({ networkSession });
  const issuedAt = now();
  const token = await manager
    .requestAccessToken({
      grantType: grant.grantType,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      ...(grant.grantType === 'authorization_code'
        ? { code: grant.code }
        : { refreshToken: grant.refreshToken }),
    })
    .catch((err: unknown) => {
      throw toTokenEndpointError(grant.grantType, err);
    });
  if (!token.accessToken || !token.refreshToken) {
    throw new BoxTokenEndpointError(
      grant.grantType,
      200,
      undefined,
      'the answer lacks an access or refresh token',
    );
  }
  return {
    accessToken: token.accessToken,
    refreshToken: token.refreshToken,
    expiresAt: issuedAt + (token.expiresIn ?? DEFAULT_ACCESS_TOKEN_SECONDS) * 1000,
    obtainedAt: issuedAt,
  };
}

/** Revokes a token at POST {baseUrl}/oauth2/revoke (a refresh token revokes its access token too). */
export async function revokeToken(networkSession: NetworkSession, app: BoxApp, token: string): Promise<void> {
  const manager = new AuthorizationManager({ networkSession });
  await manager
    .revokeAccessToken({ clientId: app.clientId, clientSecret: app.clientSecret, token })
    .catch((err: unknown) => {
      throw toTokenEndpointError('revoke', err);
    });
}

function toTokenEndpointError(grant: BoxTokenEndpointError['grant'], err: unknown): Error {
  if (!(err instanceof Error)) return new BoxTokenEndpointError(grant, 0, undefined, String(err));
  const info = (
    err as { responseInfo?: { statusCode?: unknown; headers?: Record<string, string>; body?: unknown } }
  ).responseInfo;
  if (info && typeof info.statusCode === 'number') {
    const body = (typeof info.body === 'object' && info.body !== null ? info.body : {}) as Record<
      string,
      unknown
    >;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return new BoxTokenEndpointError(
      grant,
      info.statusCode,
      text(body.error) ?? text(body.code),
      text(body.error_description) ?? text(body.message),
      retryAfterHeaderMs(info.headers),
    );
  }
  // The SDK marks a network error or timeout by wrapping the cause in `error`.
  if (err.name === 'BoxSdkError' && (err as { error?: unknown }).error !== undefined) {
    return new BoxTokenEndpointError(
      grant,
      0,
      undefined,
      err.message,
      undefined,
      /timeout/i.test(err.message),
    );
  }
  return err;
}
