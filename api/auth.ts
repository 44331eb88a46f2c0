import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { ProblemError } from './problem';

/** Checks `Authorization: Bearer <token>` in constant time (the token must not leak through timing). */
export class BearerToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = Buffer.from(`Bearer ${token}`);
  }

  /** True when the request carries the token. */
  accepts(req: Pick<FastifyRequest, 'headers'>): boolean {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === this.expected.length && timingSafeEqual(given, this.expected);
  }

  /** An onRequest hook that answers 401 (a problem) unless the request carries the token. */
  hook(): onRequestHookHandler {
    return (req, _reply, done) => done(this.accepts(req) ? undefined : unauthorized());
  }
}

/** The 401 problem of a request without the API token. */
export function unauthorized(): ProblemError {
  return new ProblemError('unauthorized', 'Send the API token as "Authorization: Bearer <API_TOKEN>".', {
    headers: { 'www-authenticate': 'Bearer realm="connect-box"' },
  });
}
