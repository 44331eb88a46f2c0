import { timingSafeEqual } from 'node:crypto';
import type { onRequestHookHandler } from 'fastify';

/** A hook that answers 401 unless the request carries `Authorization: Bearer <token>`. */
export function requireApiToken(token: string): onRequestHookHandler {
  const expected = Buffer.from(`Bearer ${token}`);
  return (req, reply, done) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    // Constant-time compare: the token must not leak through response timing.
    if (given.length === expected.length && timingSafeEqual(given, expected)) return done();
    void reply
      .code(401)
      .send({ error: 'unauthorized', message: 'Send the API token as "Authorization: Bearer <API_TOKEN>".' });
  };
}
