import { retryAfterHeaderMs } from './retry-strategy';
import { TokenDecryptionError } from './token-cipher';

/** Every kind of Box failure a user or operator can meet, as describeBoxError names it. */
export const BOX_ERROR_KINDS = [
  'InvalidRefreshToken',
  'AppRemoved',
  'NoEnterprise',
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'RateLimited',
  'BoxUnavailable',
  'Timeout',
  'InvalidAuthorizationCode',
  'InvalidClientCredentials',
  'TokensUnavailable',
  'Misconfigured',
  'Unknown',
] as const;
/** One of BOX_ERROR_KINDS. */
export type BoxErrorKind = (typeof BOX_ERROR_KINDS)[number];

/**
 * Kinds only a new authorization cures: the connection's tokens are gone, revoked or refused. Workflows
 * pause on them (domain/box-failures.ts REAUTHORIZATION_FAILURES; a unit test keeps the two equal).
 */
export const REAUTHORIZATION_KINDS: readonly BoxErrorKind[] = [
  'InvalidRefreshToken',
  'AppRemoved',
  'TokensUnavailable',
  'Unauthorized',
];

/** What went wrong with Box, in words for the user, and whether trying again can help. */
export interface BoxErrorDescription {
  kind: BoxErrorKind;
  message: string;
  nextStep: string;
  retryable: boolean;
  /** HTTP status Box answered, when it answered. */
  status?: number;
  /** How long Box asked us to wait (429, some 5xx). */
  retryAfterMs?: number;
}

/**
 * Thrown when Box rejects the connector's refresh token (400 invalid_grant): the connection is lost until
 * an admin authorizes again. `accessTokenRevoked` says the access token had been rejected before its
 * expiry too, which is what removing the app in the Box Admin Console does.
 */
export class RefreshTokenRejectedError extends Error {
  override readonly name = 'RefreshTokenRejectedError';
  constructor(
    readonly connectorId: string,
    readonly accessTokenRevoked: boolean,
    readonly boxDescription?: string,
  ) {
    super(
      `Box rejected the refresh token of connector ${connectorId}` +
        (boxDescription ? ` (${boxDescription})` : '') +
        (accessTokenRevoked ? ' after rejecting its access token: the Box app was probably removed.' : '.') +
        ' Authorize the connector again with a Box admin account.',
    );
  }
}

/** Thrown when the store holds no Box tokens for a connector (never authorized, or disconnected). */
export class BoxTokensMissingError extends Error {
  override readonly name = 'BoxTokensMissingError';
  constructor(readonly connectorId: string) {
    super(`Connector ${connectorId} has no Box tokens: authorize it with a Box admin account first.`);
  }
}

/** Thrown when another worker held the refresh lease for too long; trying again later is safe. */
export class RefreshWaitTimeoutError extends Error {
  override readonly name = 'RefreshWaitTimeoutError';
  constructor(
    readonly connectorId: string,
    readonly waitedMs: number,
  ) {
    super(
      `Gave up waiting ${Math.round(waitedMs / 1000)} s for another worker to refresh the Box token of connector ${connectorId}.`,
    );
  }
}

/** Thrown when no Box app (client id and secret) is configured for a data centre. */
export class BoxAppNotConfiguredError extends Error {
  override readonly name = 'BoxAppNotConfiguredError';
  constructor(readonly dataCenter: string) {
    super(
      `No Box app is configured for data centre ${dataCenter}: set BOX_${dataCenter}_CLIENT_ID and BOX_${dataCenter}_CLIENT_SECRET.`,
    );
  }
}

/** Thrown when the account that authorized the connection belongs to no Box enterprise. */
export class AccountWithoutEnterpriseError extends Error {
  override readonly name = 'AccountWithoutEnterpriseError';
  constructor(readonly login: string | undefined) {
    super(`The Box account ${login ?? '(unknown)'} does not belong to a Box enterprise.`);
  }
}

/**
 * Thrown when Box's token endpoint (/oauth2/token, /oauth2/revoke) answers with an error. Unlike the SDK's
 * BoxApiError it carries no request body, which holds the client secret and the refresh token.
 */
export class BoxTokenEndpointError extends Error {
  override readonly name = 'BoxTokenEndpointError';
  constructor(
    readonly grant: 'authorization_code' | 'refresh_token' | 'revoke',
    /** HTTP status; 0 when Box could not be reached. */
    readonly status: number,
    /** OAuth error code such as `invalid_grant`, when Box sent one. */
    readonly oauthError: string | undefined,
    readonly description: string | undefined,
    readonly retryAfterMs?: number,
    readonly timedOut = false,
  ) {
    super(
      status === 0
        ? `Box token endpoint unreachable (${grant}): ${description ?? 'network error'}`
        : `Box token endpoint answered ${status} (${grant})` +
            (oauthError ? `: ${oauthError}${description ? ` - ${description}` : ''}` : ''),
    );
  }
}

const FIX_WITH_ADMIN =
  'Authorize the connector again with a Box admin account; scanning resumes once it is authorized.';
const WAIT = 'Nothing to do: the request is retried automatically.';

type Text = Pick<BoxErrorDescription, 'message' | 'nextStep' | 'retryable'>;
const TEXT: Record<BoxErrorKind, Text> = {
  InvalidRefreshToken: {
    message:
      'Box no longer accepts this connection: its refresh token expired (Box refresh tokens last 60 days ' +
      'without use), was already used, or was revoked.',
    nextStep: FIX_WITH_ADMIN,
    retryable: false,
  },
  AppRemoved: {
    message:
      'Box rejected every token of this connection: a Box admin probably removed or disabled the app ' +
      '(Admin Console > Apps), or the account that authorized it was deactivated or lost its admin role.',
    nextStep:
      'Ask a Box admin to allow the app again for the enterprise, then authorize the connector again with a Box admin account.',
    retryable: false,
  },
  NoEnterprise: {
    message:
      'The Box account that authorized the connection does not belong to a Box enterprise (it is a ' +
      'personal account), so there are no users or enterprise events to read.',
    nextStep: 'Authorize again with the admin account of a Box Business or Enterprise account.',
    retryable: false,
  },
  Unauthorized: {
    message:
      'Box rejected the access token (401) even after a refresh: the app may have been removed, or the ' +
      'authorizing account deactivated.',
    nextStep: FIX_WITH_ADMIN,
    retryable: false,
  },
  Forbidden: {
    message:
      'Box refused the request (403): the account that authorized the connection lacks the permission. ' +
      'Enterprise-wide access needs a Box admin; a co-admin cannot act on behalf of admins, and needs ' +
      "the 'Manage users' permission to list users.",
    nextStep:
      'Authorize the connector again with the primary Box admin account, or grant the co-admin the missing permissions.',
    retryable: false,
  },
  NotFound: {
    message: 'Box answered 404: the item or user no longer exists, or the authorizing account cannot see it.',
    nextStep:
      'Nothing to do if it was deleted; otherwise check that the connector was authorized by a Box admin.',
    retryable: false,
  },
  RateLimited: {
    message:
      'Box is rate-limiting this connection (429; Box allows about 1,000 requests per minute per user).',
    nextStep: "Nothing to do: requests resume after the delay Box asks for (its 'retry-after' header).",
    retryable: true,
  },
  BoxUnavailable: {
    message: 'Box is temporarily unavailable (a 5xx answer) or could not be reached over the network.',
    nextStep: `${WAIT} If it lasts, check status.box.com and that the workers can reach the Box API.`,
    retryable: true,
  },
  Timeout: {
    message: 'Box did not answer in time.',
    nextStep: `${WAIT} If it lasts, check status.box.com and the network between the workers and Box.`,
    retryable: true,
  },
  InvalidAuthorizationCode: {
    message: 'Box rejected the authorization code: it expired (codes live 30 seconds) or was already used.',
    nextStep: 'Start the authorization again and complete it without delay.',
    retryable: false,
  },
  InvalidClientCredentials: {
    message: 'Box rejected the client id or client secret of the Box app configured for this data centre.',
    nextStep:
      'An operator must set BOX_<DC>_CLIENT_ID and BOX_<DC>_CLIENT_SECRET to the values of the Box app (Developer Console > Configuration).',
    retryable: false,
  },
  TokensUnavailable: {
    message: 'The stored Box tokens of this connector are missing or cannot be decrypted.',
    nextStep: `${FIX_WITH_ADMIN} If the encryption key changed, restore ENCRYPTION_KEY (or data/encryption.key) instead.`,
    retryable: false,
  },
  Misconfigured: {
    message: 'connect-box is not configured for this Box data centre.',
    nextStep:
      'An operator must configure the Box app of the data centre, then authorize the connector again.',
    retryable: false,
  },
  Unknown: {
    message: 'Box returned an unexpected error.',
    nextStep: 'The request is retried; if it keeps failing, contact support with the connector id.',
    retryable: true,
  },
};

/** What the user is told to do about a kind of Box failure. */
export function nextStepOf(kind: BoxErrorKind): string {
  return TEXT[kind].nextStep;
}

/**
 * Classifies anything thrown while talking to Box (box-node-sdk's BoxApiError or BoxSdkError, or the
 * errors of this folder) into a kind, a message for the user, the next step, and whether a retry helps.
 */
export function describeBoxError(err: unknown): BoxErrorDescription {
  const d = (kind: BoxErrorKind, extra: Partial<BoxErrorDescription> = {}): BoxErrorDescription => ({
    kind,
    ...TEXT[kind],
    ...extra,
  });
  if (err instanceof RefreshTokenRejectedError)
    return d(err.accessTokenRevoked ? 'AppRemoved' : 'InvalidRefreshToken');
  if (err instanceof AccountWithoutEnterpriseError) return d('NoEnterprise');
  if (err instanceof BoxTokensMissingError || err instanceof TokenDecryptionError) {
    return d('TokensUnavailable', { message: err.message });
  }
  if (err instanceof BoxAppNotConfiguredError) return d('Misconfigured', { message: err.message });
  if (err instanceof RefreshWaitTimeoutError) return d('Timeout', { message: err.message });
  if (err instanceof BoxTokenEndpointError) return describeTokenEndpointError(err, d);

  const api = asBoxApiError(err);
  if (api) {
    const { statusCode: status, headers, body } = api.responseInfo;
    const oauthError = isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
    if (oauthError) {
      const grant =
        typeof api.requestInfo?.body === 'string' &&
        /grant_type=authorization_code/.test(api.requestInfo.body);
      return describeTokenEndpointError(
        new BoxTokenEndpointError(
          grant ? 'authorization_code' : 'refresh_token',
          status,
          oauthError,
          undefined,
        ),
        d,
      );
    }
    return describeStatus(status, retryAfterHeaderMs(headers), d, api.message);
  }
  if (isBoxSdkError(err)) return describeNetworkError(err, d);
  return d('Unknown', { message: `Unexpected error while talking to Box: ${errorMessage(err)}` });
}

type Describe = (kind: BoxErrorKind, extra?: Partial<BoxErrorDescription>) => BoxErrorDescription;

function describeTokenEndpointError(err: BoxTokenEndpointError, d: Describe): BoxErrorDescription {
  if (err.status === 0) return d(err.timedOut ? 'Timeout' : 'BoxUnavailable');
  if (err.oauthError === 'invalid_grant') {
    return d(err.grant === 'authorization_code' ? 'InvalidAuthorizationCode' : 'InvalidRefreshToken', {
      status: err.status,
    });
  }
  if (err.oauthError === 'invalid_client' || err.oauthError === 'unauthorized_client') {
    return d('InvalidClientCredentials', { status: err.status });
  }
  return describeStatus(err.status, err.retryAfterMs, d, err.message);
}

function describeStatus(
  status: number,
  retryAfterMs: number | undefined,
  d: Describe,
  boxMessage: string,
): BoxErrorDescription {
  const extra = { status, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  if (status === 401) return d('Unauthorized', extra);
  if (status === 403) return d('Forbidden', extra);
  if (status === 404) return d('NotFound', extra);
  if (status === 429) return d('RateLimited', extra);
  if (status >= 500)
    return d('BoxUnavailable', { ...extra, message: `${TEXT.BoxUnavailable.message} Box said: ${status}.` });
  return d('Unknown', {
    ...extra,
    message: `Box refused the request: ${boxMessage}`,
    nextStep: 'This is likely a defect in connect-box; contact support with the connector id.',
    retryable: false,
  });
}

function describeNetworkError(err: Error & { error?: unknown }, d: Describe): BoxErrorDescription {
  const inner = err.error;
  const text = `${err.message} ${inner instanceof Error ? `${inner.name} ${inner.message}` : ''}`;
  const code = networkCode(inner);
  if (
    /timeout|timed out|AbortError/i.test(text) ||
    code === 'ETIMEDOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return d('Timeout');
  }
  if (code !== undefined || /fetch failed|socket|network|ECONN|ENOTFOUND|EAI_AGAIN/i.test(text)) {
    return d('BoxUnavailable', { message: `${TEXT.BoxUnavailable.message} (${code ?? err.message})` });
  }
  return d('Unknown', { message: `Unexpected error from the Box SDK: ${err.message}`, retryable: false });
}

function networkCode(inner: unknown): string | undefined {
  for (let e = inner, depth = 0; isRecord(e) && depth < 4; e = e.cause, depth++) {
    if (typeof e.code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(e.code)) return e.code;
  }
  return undefined;
}

interface ApiErrorShape {
  message: string;
  requestInfo?: { body?: unknown };
  responseInfo: { statusCode: number; headers?: Record<string, string>; body?: unknown };
}

// Duck-typed rather than instanceof: the SDK ships CJS and ESM builds, and either may have thrown it.
function asBoxApiError(err: unknown): ApiErrorShape | undefined {
  if (!(err instanceof Error)) return undefined;
  const info = (err as { responseInfo?: unknown }).responseInfo;
  return isRecord(info) && typeof info.statusCode === 'number'
    ? (err as unknown as ApiErrorShape)
    : undefined;
}

function isBoxSdkError(err: unknown): err is Error & { error?: unknown } {
  return err instanceof Error && (err.name === 'BoxSdkError' || err.name === 'BoxApiError');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
