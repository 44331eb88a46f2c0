import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * Every error the API answers is an RFC 9457 problem (`application/problem+json`). The catalogue below is
 * the closed set of problem types: `type` is `/problems/<code>` (served as a page by GET /problems/:code),
 * `title` never changes for a type, `detail` says what happened to this request and what to do next.
 */
export const PROBLEMS = {
  'invalid-request': { status: 400, title: 'The request is not valid' },
  unauthorized: { status: 401, title: 'Authentication required' },
  'invalid-signature': { status: 401, title: 'The webhook delivery is not authentic' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  'not-found': { status: 404, title: 'Not found' },
  'unknown-webhook': { status: 404, title: 'Unknown webhook' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'uri-too-long': { status: 414, title: 'Request target too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'header-too-large': { status: 431, title: 'Request headers too large' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'A service connect-box needs is unavailable' },
} as const;

/** One of the problem types of PROBLEMS. */
export type ProblemCode = keyof typeof PROBLEMS;
/** Every problem code, for documentation and tests. */
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

/** The media type of every error response. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The body of an error response (RFC 9457), plus `errors` naming each bad field of invalid input. */
export const problemSchema = z
  .object({
    type: z.string().describe('`/problems/<code>`: one of the problem types documented in docs/security.md'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('What happened to this request, and what to do next'),
    instance: z.string().describe('The request: method and path, without the query string'),
    errors: z
      .array(z.object({ in: z.string(), field: z.string(), message: z.string() }))
      .optional()
      .describe('With invalid-request: each bad field'),
  })
  .meta({ id: 'Problem' });

/** The body of an error response. */
export type Problem = z.infer<typeof problemSchema>;

/** One bad field of a request. */
export type FieldError = NonNullable<Problem['errors']>[number];

/**
 * Thrown by route handlers when a request must be answered with a problem; the error handler turns it into
 * the response. `status` defaults to the type's own.
 */
export class ProblemError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

/** Longest path echoed in `instance`: an oversized request target is never echoed whole. */
const MAX_INSTANCE_PATH = 200;

/** `instance` of a request: its method and path (no query string: it may carry a code or a token). */
export function instanceOf(req: Pick<FastifyRequest, 'method' | 'url'>): string {
  const path = pathOf(req.url);
  const shown = path.length > MAX_INSTANCE_PATH ? `${path.slice(0, MAX_INSTANCE_PATH)}...` : path;
  return `${req.method} ${shown}`;
}

/** The path of a request target (origin form or absolute form), without the query string. */
export function pathOf(url: string): string {
  const noQuery = url.split('?', 1)[0] ?? '';
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(noQuery);
  return absolute ? noQuery.slice(absolute[0].length) || '/' : noQuery;
}

/** The problem body of `code` for `req`. */
export function problemBody(
  code: ProblemCode,
  detail: string,
  req: Pick<FastifyRequest, 'method' | 'url'>,
  extra: { errors?: FieldError[]; status?: number } = {},
): Problem {
  const { status, title } = PROBLEMS[code];
  return {
    type: `/problems/${code}`,
    title,
    status: extra.status ?? status,
    detail,
    instance: instanceOf(req),
    ...(extra.errors && { errors: extra.errors }),
  };
}

/** Answers `req` with the problem `code`. */
export function sendProblem(
  req: FastifyRequest,
  reply: FastifyReply,
  code: ProblemCode,
  detail: string,
  extra: { errors?: FieldError[]; status?: number; headers?: Record<string, string> } = {},
): FastifyReply {
  const body = problemBody(code, detail, req, extra);
  if (extra.headers) void reply.headers(extra.headers);
  return reply.code(body.status).type(PROBLEM_MEDIA_TYPE).send(body);
}

/** Response schemas of the given error statuses, for a route's `schema.response`. */
export function problemResponses(...statuses: number[]): Record<number, typeof problemSchema> {
  return Object.fromEntries(statuses.map((s) => [s, problemSchema]));
}
