/**
 * Routing of the Box API surface: authentication, As-User, rate limit, latency, faults and strict
 * parameter checks around the plain handlers.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BoxApiFault, UnauthorizedFault, boxErrors } from './errors';
import type { ApiContext, Query } from './handlers/context';
import { listFileCollaborations, listFolderCollaborations } from './handlers/collaborations';
import { getEvents } from './handlers/events';
import {
  createCollaboration,
  createFolder,
  deleteCollaboration,
  getTrashedFile,
  parseMultipart,
  restoreFile,
  trashFile,
  updateFile,
  uploadFile,
} from './handlers/changes';
import { getFile, getFileContent } from './handlers/files';
import { getFolder, listFolderItems } from './handlers/folders';
import { authorizeDecision, authorizePage, revoke, token, type OAuthFields } from './handlers/oauth';
import { getCurrentUser, getUser, listUsers } from './handlers/users';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks } from './handlers/webhooks';
import type { SimState } from './state';

/** The user a request was counted for (set once authenticated). */
export const requestUser = new WeakMap<FastifyRequest, string>();

/** The error code a request was answered with, for its log line. */
export const answeredCode = new WeakMap<FastifyRequest, string>();

type Params = Record<string, string>;
type ApiHandler = (ctx: ApiContext, req: FastifyRequest, reply: FastifyReply) => unknown;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function authenticate(state: SimState, req: FastifyRequest): ApiContext {
  const header = req.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  const { userIndex, clientId } = state.tokens.authenticate(bearer);
  const ent = state.enterprise;
  const tokenUser = ent.users[userIndex]!;
  let actingUser = tokenUser;
  const asUser = req.headers['as-user'];
  if (typeof asUser === 'string' && asUser !== '') {
    if (!tokenUser.inEnterprise || tokenUser.role === 'user') throw boxErrors.cannotActAs();
    const target = ent.userById(asUser);
    if (!target || !target.inEnterprise) throw boxErrors.notFound('user', asUser);
    if (tokenUser.role === 'coadmin' && target.role === 'admin') throw boxErrors.cannotActAs();
    actingUser = target;
  }
  return {
    enterprise: ent,
    strict: state.options.strict,
    baseUrl: state.baseUrl,
    tokenUser,
    actingUser,
    clientId,
    now: state.options.now,
  };
}

function checkQuery(state: SimState, req: FastifyRequest, route: string, allowed: readonly string[]): void {
  if (!state.options.strict) return;
  for (const name of Object.keys(req.query as Query))
    if (!allowed.includes(name)) throw boxErrors.unsupportedParameter(name, route);
}

/** Registers the OAuth endpoints, the /2.0 API and the download host. */
export function registerApiRoutes(app: FastifyInstance, state: SimState): void {
  const api = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    query: readonly string[],
    handler: ApiHandler,
  ) => {
    const endpoint = `${method} ${url}`;
    app.route({
      method,
      url,
      config: { endpoint },
      handler: async (req, reply) => {
        // In progress from here until the response is finished or its connection closed.
        state.stats.began();
        reply.raw.once('close', () => state.stats.ended());
        if (state.latencyMs > 0) await sleep(state.latencyMs);
        const fault = state.faults.forRequest();
        if (fault?.kind === 'drop') {
          state.stats.fault();
          state.stats.count(endpoint, 'anonymous', 0);
          reply.hijack();
          req.raw.socket.destroy();
          return;
        }
        const ctx = authenticate(state, req);
        requestUser.set(req, ctx.actingUser.id);
        const wait = state.limiter.take(ctx.actingUser.id);
        if (wait > 0) throw boxErrors.rateLimited(wait);
        if (fault?.kind === 'error') {
          state.stats.fault();
          throw boxErrors.injected(fault.status);
        }
        checkQuery(state, req, endpoint, query);
        return handler(ctx, req, reply);
      },
    });
  };
  const id = (req: FastifyRequest) => (req.params as Params).id!;
  const q = (req: FastifyRequest) => req.query as Query;

  api('GET', '/2.0/users/me', ['fields'], (ctx, req) => getCurrentUser(ctx, q(req)));
  api(
    'GET',
    '/2.0/users',
    ['filter_term', 'user_type', 'fields', 'offset', 'limit', 'usemarker', 'marker'],
    (ctx, req) => listUsers(ctx, q(req)),
  );
  api('GET', '/2.0/users/:id', ['fields'], (ctx, req) => getUser(ctx, id(req), q(req)));
  api('GET', '/2.0/folders/:id', ['fields', 'sort', 'direction', 'offset', 'limit'], (ctx, req) =>
    getFolder(ctx, id(req), q(req)),
  );
  api(
    'GET',
    '/2.0/folders/:id/items',
    ['fields', 'usemarker', 'marker', 'offset', 'limit', 'sort', 'direction'],
    (ctx, req) => listFolderItems(ctx, id(req), q(req)),
  );
  api('GET', '/2.0/files/:id', ['fields'], (ctx, req) => getFile(ctx, id(req), q(req)));
  api('PUT', '/2.0/files/:id', ['fields'], (ctx, req) =>
    updateFile(ctx, id(req), q(req), req.body, state.control),
  );
  api('DELETE', '/2.0/files/:id', [], (ctx, req, reply) => {
    trashFile(ctx, id(req), state.control);
    return reply.code(204).send();
  });
  api('POST', '/2.0/files/:id', ['fields'], (ctx, req, reply) =>
    reply.code(201).send(restoreFile(ctx, id(req), q(req), req.body, state.control)),
  );
  api('GET', '/2.0/files/:id/trash', ['fields'], (ctx, req) => getTrashedFile(ctx, id(req), q(req)));
  api('POST', '/2.0/folders', ['fields'], (ctx, req, reply) =>
    reply.code(201).send(createFolder(ctx, q(req), req.body, state.control)),
  );
  api('POST', '/upload/2.0/files/content', ['fields'], (ctx, req, reply) => {
    const type = req.headers['content-type'] ?? '';
    if (!Buffer.isBuffer(req.body) || !/^multipart\/form-data/i.test(type))
      throw boxErrors.badRequest('An upload is a multipart/form-data body (attributes, then file)');
    return reply.code(201).send(uploadFile(ctx, q(req), parseMultipart(req.body, type), state.control));
  });
  api('POST', '/2.0/collaborations', ['fields', 'notify'], (ctx, req, reply) =>
    reply.code(201).send(createCollaboration(ctx, req.body, state.control)),
  );
  api('DELETE', '/2.0/collaborations/:id', [], (ctx, req, reply) => {
    deleteCollaboration(ctx, id(req), state.control);
    return reply.code(204).send();
  });
  api('GET', '/2.0/files/:id/collaborations', ['fields', 'limit', 'marker'], (ctx, req) =>
    listFileCollaborations(ctx, id(req), q(req)),
  );
  api('GET', '/2.0/folders/:id/collaborations', ['fields', 'limit', 'marker'], (ctx, req) =>
    listFolderCollaborations(ctx, id(req), q(req)),
  );
  api('GET', '/2.0/files/:id/content', ['version', 'access_token'], (ctx, req, reply) => {
    const answer = getFileContent(ctx, id(req), q(req), state.downloads, state.faults.notReady());
    if ('location' in answer) return reply.code(302).header('location', answer.location).send();
    return reply.code(202).header('retry-after', String(answer.retryAfterSeconds)).send();
  });
  api(
    'GET',
    '/2.0/events',
    ['stream_type', 'stream_position', 'limit', 'event_type', 'created_after', 'created_before'],
    (ctx, req) => getEvents(ctx, q(req), state.events),
  );
  api('POST', '/2.0/webhooks', [], (ctx, req, reply) =>
    reply.code(201).send(createWebhook(ctx, req.body, state.webhooks)),
  );
  api('GET', '/2.0/webhooks', ['marker', 'limit'], (ctx, req) => listWebhooks(ctx, q(req), state.webhooks));
  api('GET', '/2.0/webhooks/:id', [], (ctx, req) => getWebhook(ctx, id(req), state.webhooks));
  api('DELETE', '/2.0/webhooks/:id', [], (ctx, req, reply) => {
    deleteWebhook(ctx, id(req), state.webhooks);
    return reply.code(204).send();
  });

  const app_ = { clientId: state.options.clientId, clientSecret: state.options.clientSecret };
  const html = (reply: FastifyReply, outcome: ReturnType<typeof authorizePage>) =>
    'redirect' in outcome
      ? reply.code(302).header('location', outcome.redirect).send()
      : reply.code(outcome.status).type('text/html; charset=utf-8').send(outcome.html);
  app.get('/api/oauth2/authorize', { config: { endpoint: 'GET /api/oauth2/authorize' } }, (req, reply) =>
    html(reply, authorizePage(state.enterprise, app_, req.query as OAuthFields)),
  );
  app.post('/api/oauth2/authorize', { config: { endpoint: 'POST /api/oauth2/authorize' } }, (req, reply) =>
    html(reply, authorizeDecision(state.enterprise, app_, state.tokens, (req.body ?? {}) as OAuthFields)),
  );
  app.post('/oauth2/token', { config: { endpoint: 'POST /oauth2/token' } }, (req) =>
    token(app_, state.tokens, (req.body ?? {}) as OAuthFields),
  );
  app.post('/oauth2/revoke', { config: { endpoint: 'POST /oauth2/revoke' } }, (req, reply) => {
    revoke(app_, state.tokens, (req.body ?? {}) as OAuthFields);
    return reply.code(200).send();
  });

  app.get(
    '/d/1/:token/download',
    { config: { endpoint: 'GET /d/1/:token/download' } },
    async (req, reply) => {
      const grant = state.downloads.redeem((req.params as Params).token!);
      if (!grant) throw boxErrors.downloadExpired();
      const ent = state.enterprise;
      if (ent.fileVersionOf(grant.file) !== grant.version || ent.isDeleted(grant.file))
        throw boxErrors.versionNotCurrent();
      const whole = ent.content(grant.file);
      if (state.options.apiDownloadsAreUserActions)
        state.control.downloadedThroughApi(grant.file, grant.userIndex, grant.clientId);
      const range = byteRange(req.headers.range, whole.length);
      if (range === 'unsatisfiable') {
        return reply.code(416).header('content-range', `bytes */${whole.length}`).send();
      }
      const bytes = range ? whole.subarray(range.start, range.end + 1) : whole;
      if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${whole.length}`);
      reply
        .header('accept-ranges', 'bytes')
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(bytes.length))
        .header(
          'content-disposition',
          `attachment; filename="${encodeURIComponent(ent.fileName(grant.file))}"`,
        );
      const rate = state.faults.downloadRate();
      if (rate <= 0) return reply.send(bytes);
      const chunk = Math.max(1, Math.floor(rate / 10));
      return reply.send(
        Readable.from(
          (async function* () {
            for (let at = 0; at < bytes.length; at += chunk) {
              yield bytes.subarray(at, at + chunk);
              await sleep(100);
            }
          })(),
        ),
      );
    },
  );
}

/** Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; undefined means the whole file. */
export function byteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  }
  return start > end || start >= size ? 'unsatisfiable' : { start, end };
}

/** Answers a thrown fault the way Box would, with the request's ID in the body. */
export function sendFault(reply: FastifyReply, err: unknown): FastifyReply | undefined {
  if (err instanceof BoxApiFault) {
    answeredCode.set(reply.request, err.code);
    return reply.code(err.status).headers(err.headers).send(err.body(reply.request.id));
  }
  if (err instanceof UnauthorizedFault) {
    answeredCode.set(reply.request, 'invalid_token');
    return reply
      .code(401)
      .header(
        'www-authenticate',
        'Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."',
      )
      .send();
  }
  return undefined;
}
