/**
 * Every Box request sent again after a 429, a 5xx or a network error leaves a trace: one warn line
 * (connector, user, endpoint, status, wait, attempt, Box's request id) and two counters
 * (telemetry/metrics.ts). The 401 refresh-and-retry is the token's business and is not reported here.
 * Every answer, retried or not, is counted by endpoint and status (countBoxRequest).
 */
import type { Logger } from 'pino';
import type { FetchOptions, FetchResponse } from 'box-node-sdk/networking';
import { createLogger } from '../telemetry/logger';
import { boxRequests, boxRetries, boxRetryWaitSeconds } from '../telemetry/metrics';

/** One retry of one Box request. */
export interface BoxRetry {
  connectorId: string | undefined;
  /** The Box user acted as (As-User), or 'admin' for the connector's own account. */
  user: string;
  method: string;
  /** The request path with ids replaced by `:id` (no host, no query): a bounded label set. */
  endpoint: string;
  /** HTTP status; 0 for a network error or timeout. */
  status: number;
  /** Milliseconds waited before the next attempt. */
  waitMs: number;
  /** The attempt that failed (1 for the first request). */
  attempt: number;
  /** Box's request id for the failed answer, when it sent one. */
  requestId?: string;
}

/** Called before each retry of a Box request. */
export type BoxRetryObserver = (retry: BoxRetry) => void;

/** Called with every answer Box gives (status 0: a network error or timeout). */
export type BoxResponseObserver = (fetchOptions: FetchOptions, response: FetchResponse) => void;

/** The default response observer: counts the answer by `METHOD /endpoint` and status. */
export const countBoxRequest: BoxResponseObserver = (fetchOptions, response) => {
  boxRequests.inc({
    endpoint: `${(fetchOptions.method ?? 'GET').toUpperCase()} ${endpointOf(fetchOptions.url)}`,
    status: String(response.status),
  });
};

/** The retry described from the SDK's request and the answer that is being retried. */
export function describeBoxRetry(
  connectorId: string | undefined,
  fetchOptions: FetchOptions,
  response: FetchResponse,
  waitMs: number,
  attempt: number,
): BoxRetry {
  const requestId = header(response.headers, 'box-request-id') ?? header(response.headers, 'request-id');
  return {
    connectorId,
    user: actingUserOf(fetchOptions),
    method: (fetchOptions.method ?? 'GET').toUpperCase(),
    endpoint: endpointOf(fetchOptions.url),
    status: response.status,
    waitMs: Math.round(waitMs),
    attempt,
    ...(requestId !== undefined && { requestId }),
  };
}

/** The Box user a request acts as (its As-User header), or 'admin' for the connector's own account. */
export function actingUserOf(fetchOptions: {
  headers?: { readonly [key: string]: string };
  networkSession?: { additionalHeaders?: { readonly [key: string]: string } };
}): string {
  // As-User travels in the session's additional headers (withAsUserHeader), not the request's own.
  return (
    header(fetchOptions.headers, 'as-user') ??
    header(fetchOptions.networkSession?.additionalHeaders, 'as-user') ??
    'admin'
  );
}

/**
 * `https://api.box.com/2.0/folders/123/items?limit=1000` -> `/2.0/folders/:id/items`: ids (digits, long hex)
 * and tokens (a download URL's, 24 characters or more, or with characters other than letters, digits, `_`,
 * `.` and `-`) become `:id`, so that the endpoint is a bounded label.
 */
export function endpointOf(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? url;
  }
  return path
    .split('/')
    .map((segment) =>
      /^\d+$|^[0-9a-f]{16,}$/i.test(segment) || segment.length >= 24 || /[^\w.-]/.test(segment)
        ? ':id'
        : segment,
    )
    .join('/');
}

let defaultLogger: Logger | undefined;

/** The default observer: logs the retry at warn and counts it (both by endpoint and status). */
export function logAndCountBoxRetry(
  logger: Logger = (defaultLogger ??= createLogger('box')),
): BoxRetryObserver {
  return (retry) => {
    const labels = { endpoint: `${retry.method} ${retry.endpoint}`, status: String(retry.status) };
    boxRetries.inc(labels);
    boxRetryWaitSeconds.inc(labels, retry.waitMs / 1000);
    logger.warn(
      { event: 'box_retry', ...retry },
      `Box ${retry.status === 0 ? 'network error' : retry.status} on ${labels.endpoint}: retrying in ${retry.waitMs} ms`,
    );
  };
}

function header(headers: { readonly [key: string]: string } | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
