import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import {
  PROBLEMS,
  PROBLEM_MEDIA_TYPE,
  ProblemError,
  sendProblem,
  type FieldError,
  type ProblemCode,
} from './problem';

/** Where a request part failed validation, in the words of the problem's detail. */
const PARTS: Record<string, string> = {
  params: 'path',
  querystring: 'query',
  body: 'body',
  headers: 'headers',
};

/** Fastify's own errors that a client causes, with our words (never Fastify's, which may echo input). */
const FRAMEWORK: Record<string, { code: ProblemCode; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload-too-large',
    detail: 'The request body is larger than this route accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported-media-type',
    detail: 'Send the body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid-request',
    detail: 'The Content-Length header does not match the body.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'invalid-request',
    detail: 'The body is empty although Content-Type says JSON: send a JSON body or no Content-Type.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid-request', detail: 'The body is not valid JSON.' },
  FST_ERR_BAD_URL: { code: 'invalid-request', detail: 'The request path is not a valid URL.' },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'uri-too-long',
    detail: 'A path segment is longer than any identifier this API uses.',
  },
};

/** The problem code of a plain HTTP status that Fastify or a plugin attached to an error. */
function codeOfStatus(status: number): ProblemCode {
  const found = (Object.keys(PROBLEMS) as ProblemCode[]).find((c) => PROBLEMS[c].status === status);
  return found ?? (status >= 500 ? 'internal' : 'invalid-request');
}

/** The field errors of a zod validation failure, in the part of the request that failed. */
function fieldErrors(err: FastifyError & { validation: unknown[] }): FieldError[] {
  const part = PARTS[err.validationContext ?? ''] ?? 'request';
  type Issue = { keyword?: string; instancePath?: string; message?: string; params?: { keys?: string[] } };
  return (err.validation as Issue[]).map((v) => {
    if (v.keyword === 'unrecognized_keys') {
      return { in: part, field: (v.params?.keys ?? []).join(', '), message: 'unknown parameter' };
    }
    const field = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    return { in: part, field, message: v.message ?? 'invalid' };
  });
}

/** One sentence naming every bad field: `Invalid query: limit: at most 500; unknown parameter foo`. */
function invalidDetail(errors: FieldError[]): string {
  const byPart = new Map<string, string[]>();
  for (const e of errors) {
    const text =
      e.message === 'unknown parameter' ? `unknown parameter ${e.field}` : `${e.field || e.in}: ${e.message}`;
    byPart.set(e.in, [...(byPart.get(e.in) ?? []), text]);
  }
  return [...byPart].map(([part, texts]) => `Invalid ${part}: ${texts.join('; ')}`).join('. ') + '.';
}

/** The API's error handler: every error becomes a problem; only 5xx are logged, never echoed. */
export function problemErrorHandler(
  err: FastifyError | ProblemError,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (err instanceof ProblemError) return sendProblem(req, reply, err.code, err.detail, err.extra);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = fieldErrors(err);
    return sendProblem(req, reply, 'invalid-request', invalidDetail(errors), { errors });
  }
  if (isResponseSerializationError(err)) {
    req.log.error({ err }, 'response does not match its schema');
    return sendProblem(req, reply, 'internal', 'Internal error; see the API log.');
  }
  const known = err.code ? FRAMEWORK[err.code] : undefined;
  if (known) return sendProblem(req, reply, known.code, known.detail);
  if (err instanceof SyntaxError)
    return sendProblem(req, reply, 'invalid-request', 'The body is not valid JSON.');
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = codeOfStatus(status);
    return sendProblem(req, reply, code, `${PROBLEMS[code].title}.`, { status });
  }
  req.log.error({ err }, 'request failed');
  return sendProblem(req, reply, 'internal', 'Internal error; see the API log.');
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (headers too large, a malformed
 * request line) with a problem too, then closes the connection.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const code: ProblemCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'header-too-large' : 'invalid-request';
  const { status, title } = PROBLEMS[code];
  const body = JSON.stringify({
    type: `/problems/${code}`,
    title,
    status,
    detail: code === 'header-too-large' ? 'The request headers are too large.' : 'The request is malformed.',
    instance: 'request',
  });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: ${PROBLEM_MEDIA_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
