import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import type { Config } from '../config/config';
import {
  PayloadDecryptionError,
  PayloadKeyUnknownError,
  type EncryptionCodec,
} from '../config/payload-codec';
import type { SessionsRepository } from '../store/sessions-repository';
import type { ApiApp } from './api-app';
import { unauthorized, type Authenticator } from './auth';
import { CODEC_SESSION_COOKIE, clearSessionCookie, lookUpSession } from './console/console-session';
import { ProblemError, problemResponses } from './problem';
import type { RouteAccess } from './route-table';

/** What the `/codec` scope needs. */
export interface CodecRoutesDeps {
  config: Config;
  auth: Authenticator;
  codec: EncryptionCodec;
  /** The console's sessions: a signed-in browser's `cb_codec_session` cookie decodes. */
  sessions: SessionsRepository;
}

/** Largest body of a codec request: a history page holds many payloads, each up to Temporal's 2 MB. */
const CODEC_BODY_LIMIT = 16 * 1_048_576;
/** Most payloads in one request. */
const MAX_PAYLOADS = 10_000;

// Protocol buffers' JSON form of bytes: standard or URL-safe base64, padded or not.
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');

/** One payload in protobuf JSON form (the codec server protocol): metadata values and data in base64. */
const payloadJson = z
  .object({
    metadata: z.record(z.string(), base64).nullish(),
    data: base64.nullish(),
  })
  .meta({ id: 'CodecPayload' });

/** The body of both codec routes, and of their answers: `{ payloads: [...] }`. */
const payloadsJson = z
  .strictObject({ payloads: z.array(payloadJson).max(MAX_PAYLOADS) })
  .meta({ id: 'CodecPayloads' });

type PayloadJson = z.infer<typeof payloadJson>;

const headers = z.object({
  'x-namespace': z
    .string()
    .optional()
    .describe('Temporal namespace of the payloads (the Web UI and CLI send it)'),
});

/** Methods and request headers the Web UI's codec requests use (preflight answers). */
const ALLOWED_HEADERS = 'authorization, authorization-extras, content-type, x-namespace';

/**
 * The Temporal payload codec endpoint (`POST /codec/encode`, `POST /codec/decode`), the codec server
 * protocol the Web UI and the CLI speak: protobuf JSON payloads in, payloads out, the `X-Namespace` header
 * naming the namespace. The same credential as /api (bootstrap API_TOKEN or a personal token): decoding
 * needs `viewer` (it shows what the /api routes and the console already show a viewer: connector, file and
 * user ids, admin logins; never tokens, which never enter a history); encoding needs `admin` (an encoded
 * payload is accepted by the workers as authentic input to any workflow: a disconnect signal, a governance
 * action that moves or deletes Box files). Browsers may call it only from CODEC_CORS_ORIGINS; their
 * preflights (OPTIONS, which carry no credential) are answered here. Register it with `{ prefix: '/codec' }`.
 *
 * A console session decodes too: sign-in sets `cb_codec_session` (Path=/codec, HttpOnly, SameSite=Strict,
 * the console session's value), which the Web UI sends with "Include cross-origin credentials". It is
 * looked up as the console does (absolute and idle expiry, disabled user, the user's role now), without
 * restarting the idle clock: the Web UI decodes by itself (every page, every refresh of a running
 * workflow), so an open UI tab alone must not keep a browser's session alive; working in /console does.
 * A session never encodes (403): encoding forges worker input, it needs a bearer credential of an admin.
 * Why a cookie-authenticated POST is no CSRF risk here: decode changes nothing on the server (no row, no
 * audit, no Temporal call), so a forged request can only matter through its answer, and only
 * CODEC_CORS_ORIGINS get to read answers; SameSite=Strict keeps the cookie off cross-site requests; a
 * request a page of another origin can send without a preflight has a form or text content type, which
 * this scope refuses (415) before any decoding.
 */
export function codecRoutes(deps: CodecRoutesDeps) {
  const origins = new Set(deps.config.api.codecCorsOrigins);
  const allowedOrigin = (req: FastifyRequest): string | undefined => {
    const origin = req.headers.origin;
    return origin && origins.has(origin) ? origin : undefined;
  };
  const cors = (req: FastifyRequest, reply: FastifyReply) => {
    void reply.header('vary', 'Origin');
    const origin = allowedOrigin(req);
    if (origin)
      void reply
        .header('access-control-allow-origin', origin)
        // The Web UI's "Include cross-origin credentials" option needs this; credentials are still checked.
        .header('access-control-allow-credentials', 'true');
  };

  return async (scope: ApiApp): Promise<void> => {
    await scope.register(cookie, { hook: 'onRequest' });
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'codec' satisfies RouteAccess };
      const role = route.config?.role;
      route.schema = {
        ...route.schema,
        tags: ['codec'],
        ...(role
          ? {
              security: route.url.endsWith('/decode')
                ? [{ bearer: [] }, { codecSession: [] }]
                : [{ bearer: [] }],
              description: [route.schema?.description, `Needs the role '${role}' or higher.`].join(' '),
            }
          : { security: [], hide: true }),
      };
    });
    scope.addHook('onRequest', (req, reply, done) => {
      cors(req, reply);
      done();
    });
    // The Web UI asks for each payload of a page in its own request: a history view is dozens at once.
    scope.addHook(
      'onRequest',
      scope.rateLimit({ max: deps.config.api.rateLimitPerMinute * 10, timeWindow: 60_000 }),
    );
    // The console session's cookie, when the request carries no Authorization (which is then checked alone).
    const decodeUrl = `${scope.prefix}/decode`;
    scope.addHook('onRequest', async (req, reply) => {
      if (req.method === 'OPTIONS' || req.headers.authorization !== undefined) return;
      const token = req.cookies[CODEC_SESSION_COOKIE];
      if (!token) return;
      if (req.routeOptions.url !== decodeUrl)
        throw new ProblemError(
          'forbidden',
          'A console session only decodes payloads; encoding needs "Authorization: Bearer <token>" of an admin (the API token or a personal API token).',
        );
      const found = await lookUpSession(deps.sessions, deps.config, token, { touch: false });
      if (!found) {
        clearSessionCookie(reply, deps.config);
        throw unauthorized(
          'Your console session has ended (signed out, expired or idle too long): sign in to /console again, or send "Authorization: Bearer <token>".',
        );
      }
      req.principal = found.principal;
    });
    const authenticate = deps.auth.hook();
    scope.addHook('onRequest', function (req, reply, done) {
      if (req.method === 'OPTIONS') return done();
      authenticate.call(this, req, reply, done);
    });
    scope.removeContentTypeParser(['text/plain']);

    const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
      if (!allowedOrigin(req))
        throw new ProblemError(
          'forbidden',
          `The origin ${JSON.stringify(req.headers.origin ?? '')} may not call the codec endpoint: add it to CODEC_CORS_ORIGINS.`,
        );
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
    };

    for (const op of ['encode', 'decode'] as const) {
      scope.options(`/${op}`, { schema: { summary: `CORS preflight of /codec/${op}` } }, preflight);
      scope.post(
        `/${op}`,
        {
          bodyLimit: CODEC_BODY_LIMIT,
          config: { role: op === 'decode' ? 'viewer' : 'admin' },
          schema: {
            summary:
              op === 'decode'
                ? 'Decrypt Temporal payloads (the Web UI and CLI codec server protocol)'
                : 'Encrypt Temporal payloads with the current payload key',
            headers,
            body: payloadsJson,
            response: { 200: payloadsJson, ...problemResponses(400, 401, 403, 413, 415, 429) },
          },
        },
        async (req) => {
          checkNamespace(req.headers['x-namespace'], deps.config.temporal.namespace);
          const payloads = req.body.payloads.map(fromJson);
          try {
            const out =
              op === 'decode' ? await deps.codec.decode(payloads) : await deps.codec.encode(payloads);
            return { payloads: out.map(toJson) };
          } catch (err) {
            if (err instanceof PayloadKeyUnknownError || err instanceof PayloadDecryptionError)
              throw new ProblemError('invalid-request', err.message);
            throw err;
          }
        },
      );
    }
  };
}

/** The codec serves the namespace this stack runs in; payloads of another one were never its to decode. */
function checkNamespace(given: string | undefined, served: string): void {
  if (given !== undefined && given !== served)
    throw new ProblemError(
      'invalid-request',
      `This codec endpoint serves the namespace '${served}', not '${given}' (the X-Namespace header).`,
    );
}

function fromJson(p: PayloadJson): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  };
}

function toJson(p: Payload): PayloadJson {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}
