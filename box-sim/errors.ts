/**
 * The one error factory: Box's JSON error bodies and status codes, and OAuth's token errors. Every
 * fault box-sim answers is built by `boxErrors`, so tests can assert against one place.
 */
import { randomBytes } from 'node:crypto';

/** Box's JSON error body. */
export interface BoxErrorBody {
  type: 'error';
  status: number;
  code: string;
  message: string;
  /** The request's ID, also in the `box-request-id` header and box-sim's log line for the request. */
  request_id: string;
  help_url?: string;
  context_info?: Record<string, unknown>;
}

/** A new request ID: 16 hex digits, unique enough to find one request in a log. */
export function newRequestId(): string {
  return randomBytes(8).toString('hex');
}

/** Thrown by handlers to answer with a Box error body. */
export class BoxApiFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly contextInfo?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The body Box would send for the request with that ID. */
  body(requestId: string): BoxErrorBody {
    return {
      type: 'error',
      status: this.status,
      code: this.code,
      ...(this.contextInfo ? { context_info: this.contextInfo } : {}),
      help_url: 'http://developers.box.com/docs/#errors',
      message: this.message,
      request_id: requestId,
    };
  }
}

/** Thrown by the token endpoint: OAuth 2.0 errors use `{error, error_description}`. */
export class OAuthFault extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

/** Thrown when the request carries no valid access token (Box answers 401 with an empty body). */
export class UnauthorizedFault extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Constructors of the errors Box returns for the endpoints the simulator serves. */
export const boxErrors = {
  notFound: (kind: 'file' | 'folder' | 'user' | 'webhook' | 'item', id: string) => {
    const ref = kind === 'file' ? `f_${id}` : kind === 'folder' ? `d_${id}` : id;
    const name = kind === 'file' || kind === 'folder' ? 'item' : kind;
    return new BoxApiFault(404, 'not_found', 'Not Found', {
      errors: [
        {
          reason: 'invalid_parameter',
          name,
          message: `Invalid value '${ref}'. '${name}' with value '${ref}' not found`,
        },
      ],
    });
  },
  trashed: () => new BoxApiFault(404, 'trashed', 'Item is trashed'),
  badRequest: (message: string) => new BoxApiFault(400, 'bad_request', message),
  invalidParameter: (name: string, message: string) =>
    new BoxApiFault(400, 'bad_request', 'Bad Request', {
      errors: [{ reason: 'invalid_parameter', name, message }],
    }),
  unsupportedParameter: (name: string, route: string) =>
    new BoxApiFault(
      400,
      'bad_request',
      `box-sim strict mode: query parameter '${name}' is not supported on ${route}. Remove it, or start box-sim with strict: false.`,
      {
        errors: [{ reason: 'invalid_parameter', name, message: `Unsupported parameter '${name}'` }],
      },
    ),
  forbidden: (message = 'Access denied - insufficient permission') =>
    new BoxApiFault(403, 'access_denied_insufficient_permissions', message),
  cannotActAs: () =>
    new BoxApiFault(403, 'access_denied_insufficient_permissions', 'Access denied - insufficient permission'),
  webhookExists: (webhookId: string) =>
    new BoxApiFault(409, 'conflict', 'Bad Request', {
      errors: [
        {
          reason: 'invalid_parameter',
          name: 'existWebhookId',
          message: `Webhook:${webhookId} already exists on the specified target.`,
        },
      ],
    }),
  rateLimited: (retryAfterSeconds: number) =>
    new BoxApiFault(
      429,
      'rate_limit_exceeded',
      'Request rate limit exceeded, please try again later',
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    ),
  internal: () => new BoxApiFault(500, 'internal_server_error', 'Internal Server Error'),
  unavailable: () => new BoxApiFault(503, 'unavailable', 'Unavailable'),
  /** A 5xx the fault injector chose (`errorRate`, `failNext`): 503 is Box's `unavailable`. */
  injected: (status: number) =>
    status === 503
      ? new BoxApiFault(503, 'unavailable', 'Unavailable')
      : new BoxApiFault(status, 'internal_server_error', 'Internal Server Error'),
  methodNotAllowed: () => new BoxApiFault(405, 'method_not_allowed', 'Method Not Allowed'),
  /** A route box-sim does not serve (Box would serve some of them: say where the list is). */
  notServed: (method: string, path: string) =>
    new BoxApiFault(
      404,
      'not_found',
      `box-sim does not serve ${method} ${path}: see box-sim/README.md for the supported endpoints`,
    ),
  invalidJson: () => new BoxApiFault(400, 'bad_request', 'The request body is not valid JSON'),
  /** A 4xx the HTTP layer raised before any handler ran (body too large, unsupported media type). */
  rejectedRequest: (status: number, message: string) => new BoxApiFault(status, 'bad_request', message),
  downloadExpired: () =>
    new BoxApiFault(
      404,
      'not_found',
      'The download link expired or does not exist: ask GET /2.0/files/:id/content again',
    ),
  versionNotCurrent: () => new BoxApiFault(404, 'not_found', 'This version is no longer current'),
  /** Box's answer when storage is full; box-sim's files are full when `spareFiles` is used up. */
  noRoomForFiles: (capacity: number) =>
    new BoxApiFault(
      507,
      'insufficient_storage',
      `box-sim has no room for more files (capacity ${capacity}): start it with a larger spareFiles`,
    ),
  notInTrash: () => new BoxApiFault(400, 'bad_request', 'The file is not in the trash'),
  /** `POST /files/:id` (restore) or `GET /files/:id/trash` on a file that is not in the trash. */
  notTrashed: (id: string) =>
    new BoxApiFault(404, 'not_found', 'Not Found', {
      errors: [
        {
          reason: 'invalid_parameter',
          name: 'item',
          message: `Invalid value 'f_${id}'. 'item' with value 'f_${id}' not found in the trash`,
        },
      ],
    }),
  /** Box's 409 when a folder or file of that name is already in the folder; `conflicts` as Box shapes it. */
  itemNameInUse: (conflicts: unknown) =>
    new BoxApiFault(409, 'item_name_in_use', 'Item with the same name already exists', { conflicts }),
  /** `POST /collaborations` for an address that already collaborates on the item. */
  alreadyCollaborator: () =>
    new BoxApiFault(400, 'user_already_collaborator', 'User is already a collaborator'),
  /** An upload whose `attributes` part comes after its `file` part. */
  metadataAfterFileContents: () =>
    new BoxApiFault(
      400,
      'metadata_after_file_contents',
      'The attributes part of the upload must come before the file part',
    ),
  /** Box's answer when a folder or file name is not allowed. */
  invalidName: (name: string) =>
    new BoxApiFault(400, 'item_name_invalid', 'Item name invalid', {
      errors: [{ reason: 'invalid_parameter', name: 'name', message: `Invalid value '${name}'` }],
    }),
  /** No valid access token: Box answers 401 with an empty body and `WWW-Authenticate`. */
  unauthorized: (reason: 'missing access token' | 'invalid access token' | 'expired access token') =>
    new UnauthorizedFault(reason),
  invalidGrant: (description: string) => new OAuthFault(400, 'invalid_grant', description),
  invalidClient: () => new OAuthFault(400, 'invalid_client', 'The client credentials are invalid'),
  invalidRequest: (description: string) => new OAuthFault(400, 'invalid_request', description),
  unsupportedGrant: () => new OAuthFault(400, 'unsupported_grant_type', 'Grant type is not supported'),
};
