import { BoxApiError, BoxSdkError } from 'box-node-sdk/box';
import type { SerializedData } from 'box-node-sdk/serialization/json';
import {
  AccountWithoutEnterpriseError,
  BoxTokenEndpointError,
  BoxTokensMissingError,
  RefreshTokenRejectedError,
  describeBoxError,
} from '../../../box/box-errors';
import { TokenDecryptionError } from '../../../box/token-cipher';
import { boxFailure } from '../../../box/box-failure';

function apiError(
  statusCode: number,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return new BoxApiError({
    message: `${statusCode}`,
    requestInfo: { method: 'GET', url: 'https://api.box.com/2.0/users', queryParams: {}, headers: {} },
    responseInfo: {
      statusCode,
      headers,
      body: body as SerializedData,
      code: typeof body.code === 'string' ? body.code : undefined,
    },
  });
}

describe('describeBoxError', () => {
  it('names a rejected refresh token and tells the user to authorize again with an admin', () => {
    const d = describeBoxError(new RefreshTokenRejectedError('c1', false, 'Refresh token has expired'));
    expect(d).toMatchObject({ kind: 'InvalidRefreshToken', retryable: false });
    expect(d.nextStep).toMatch(/admin account/);
  });

  it('reads a refresh token rejected right after its unexpired access token as the app being removed', () => {
    const d = describeBoxError(new RefreshTokenRejectedError('c1', true));
    expect(d).toMatchObject({ kind: 'AppRemoved', retryable: false });
    expect(d.message).toMatch(/removed or disabled the app/);
  });

  it('explains an account without an enterprise', () => {
    expect(describeBoxError(new AccountWithoutEnterpriseError('me@example.com'))).toMatchObject({
      kind: 'NoEnterprise',
      retryable: false,
    });
  });

  it('classifies Box API statuses', () => {
    expect(describeBoxError(apiError(401))).toMatchObject({
      kind: 'Unauthorized',
      status: 401,
      retryable: false,
    });
    expect(describeBoxError(apiError(403, { code: 'access_denied_insufficient_permissions' }))).toMatchObject(
      {
        kind: 'Forbidden',
        retryable: false,
      },
    );
    expect(describeBoxError(apiError(404, { code: 'not_found' }))).toMatchObject({ kind: 'NotFound' });
    expect(describeBoxError(apiError(503))).toMatchObject({
      kind: 'BoxUnavailable',
      retryable: true,
      status: 503,
    });
    expect(describeBoxError(apiError(400, { code: 'bad_request' }))).toMatchObject({
      kind: 'Unknown',
      retryable: false,
    });
  });

  it('says how long Box asked to wait when rate limited', () => {
    const d = describeBoxError(apiError(429, { code: 'rate_limit_exceeded' }, { 'retry-after': '12' }));
    expect(d).toMatchObject({ kind: 'RateLimited', retryable: true, retryAfterMs: 12_000, status: 429 });
  });

  it('tells an expired authorization code from a rejected refresh token at the token endpoint', () => {
    expect(
      describeBoxError(new BoxTokenEndpointError('authorization_code', 400, 'invalid_grant', 'expired')),
    ).toMatchObject({
      kind: 'InvalidAuthorizationCode',
    });
    expect(
      describeBoxError(new BoxTokenEndpointError('refresh_token', 400, 'invalid_grant', 'used')),
    ).toMatchObject({
      kind: 'InvalidRefreshToken',
    });
    expect(
      describeBoxError(new BoxTokenEndpointError('refresh_token', 400, 'invalid_client', 'bad')),
    ).toMatchObject({
      kind: 'InvalidClientCredentials',
    });
    expect(
      describeBoxError(new BoxTokenEndpointError('refresh_token', 0, undefined, 'fetch failed')),
    ).toMatchObject({
      kind: 'BoxUnavailable',
      retryable: true,
    });
  });

  it('tells a timeout from an unreachable Box', () => {
    const timeout = new BoxSdkError({ message: 'Connection timeout after 30000ms', error: new Error('x') });
    expect(describeBoxError(timeout)).toMatchObject({ kind: 'Timeout', retryable: true });
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const d = describeBoxError(new BoxSdkError({ message: 'fetch failed', error: refused }));
    expect(d).toMatchObject({ kind: 'BoxUnavailable', retryable: true });
    expect(d.message).toContain('ECONNREFUSED');
  });

  it('sends the user back to authorization when tokens are missing or unreadable', () => {
    expect(describeBoxError(new BoxTokensMissingError('c1'))).toMatchObject({ kind: 'TokensUnavailable' });
    expect(describeBoxError(new TokenDecryptionError('x'))).toMatchObject({ kind: 'TokensUnavailable' });
  });

  it('keeps anything else as Unknown, retryable', () => {
    expect(describeBoxError(new Error('boom'))).toMatchObject({ kind: 'Unknown', retryable: true });
    expect(describeBoxError('text')).toMatchObject({ kind: 'Unknown' });
  });
});

describe('boxFailure', () => {
  it('makes a non-retryable activity failure that tells the user what to do', () => {
    const failure = boxFailure(new RefreshTokenRejectedError('c1', true));
    expect(failure).toMatchObject({ type: 'BoxAppRemoved', nonRetryable: true });
    expect(failure.message).toMatch(/authorize the connector again/);
    expect(failure.details).toEqual([expect.objectContaining({ kind: 'AppRemoved' })]);
  });

  it("passes Box's retry-after on as the next retry delay", () => {
    const failure = boxFailure(apiError(429, { code: 'rate_limit_exceeded' }, { 'retry-after': '30' }));
    expect(failure).toMatchObject({ type: 'BoxRateLimited', nonRetryable: false, nextRetryDelay: 30_000 });
  });
});
