import type { FastifyInstance, FastifyRequest, onResponseAsyncHookHandler } from 'fastify';
import type { AuditOutcome, AuditRepository } from '../store/audit-repository';
import type { Principal } from './principal';

declare module 'fastify' {
  interface FastifyInstance {
    /** The audit log (decorated on the root server: every scope sees it). */
    auditLog: AuditRepository;
  }
}

/** Methods whose requests change state: each one is audited. */
export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a route handler adds to the audit entry of its request. */
interface RequestAudit {
  target?: string;
  detail?: Record<string, unknown>;
  /** recordAudit wrote the entry itself: the onResponse hook adds none. */
  recorded?: boolean;
}

const notes = new WeakMap<FastifyRequest, RequestAudit>();

/** Names the target of a request (e.g. the id a POST created) for its audit entry. */
export function auditTarget(req: FastifyRequest, target: string): void {
  notes.set(req, { ...notes.get(req), target });
}

/** Adds detail (JSON; never a secret) to the audit entry of a request. */
export function auditDetail(req: FastifyRequest, detail: Record<string, unknown>): void {
  const note = notes.get(req);
  notes.set(req, { ...note, detail: { ...note?.detail, ...detail } });
}

/**
 * The audit action of a route: `config.action` when it declares one, else `<resource>.<verb>` from its URL:
 * the first segment after /api made singular, then the literal segments after it (`POST
 * /api/connectors/:id/rescan` is `connector.rescan`), or the method's verb when there are none (POST create,
 * PUT/PATCH update, DELETE delete).
 */
export function auditAction(method: string, url: string, declared?: string): string {
  if (declared) return declared;
  const literal = url
    .replace(/^\/api\/?/, '')
    .split('/')
    .filter((s) => s !== '');
  const [first = 'api', ...rest] = literal;
  const resource = singular(first);
  const words = rest.filter((s) => !s.startsWith(':'));
  if (words.length > 0) return `${resource}.${words.join('.')}`;
  const verb = method === 'POST' ? 'create' : method === 'DELETE' ? 'delete' : 'update';
  return `${resource}.${verb}`;
}

function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The outcome of a response status: 401/403 denied, another 4xx/5xx failed, else ok. */
export function outcomeOf(status: number): AuditOutcome {
  if (status === 401 || status === 403) return 'denied';
  return status >= 400 ? 'failed' : 'ok';
}

/** The actor columns of a principal (anonymous when the request had no working credential). */
function actorOf(p: Principal | undefined) {
  if (!p) return { actorKind: 'anonymous' as const, actorUserId: null, actorLogin: 'anonymous' };
  return { actorKind: p.kind, actorUserId: p.userId, actorLogin: p.login };
}

/** The target of a request: what its handler named, else its `:id` path parameter. */
function targetOf(req: FastifyRequest): string | null {
  const named = notes.get(req)?.target;
  if (named !== undefined) return named;
  const id = (req.params as Record<string, unknown> | undefined)?.id;
  return typeof id === 'string' ? id.slice(0, 200) : null;
}

/**
 * The /api scope's onResponse hook: one audit entry per state-changing request, refused ones included
 * (401/403: `denied`), rate-limited ones (429) excepted, since writing one row per refused request of a
 * flood would turn the limit into a write storm. A route whose handler called recordAudit gets no second
 * entry. A failure to write is logged, never answered (the response is already sent).
 */
export function auditHook(): onResponseAsyncHookHandler {
  return async (req, reply) => {
    if (!STATE_CHANGING.has(req.method) || reply.statusCode === 429) return;
    const note = notes.get(req);
    if (note?.recorded) return;
    try {
      await req.server.auditLog.record({
        ...actorOf(req.principal),
        action: auditAction(req.method, req.routeOptions.url ?? '', req.routeOptions.config.action),
        target: targetOf(req),
        method: req.method,
        route: req.routeOptions.url ?? null,
        ip: req.ip,
        outcome: outcomeOf(reply.statusCode),
        status: reply.statusCode,
        detail: note?.detail ?? null,
      });
    } catch (err) {
      req.log.error({ err }, 'audit entry not written');
    }
  };
}

/**
 * Records an audit entry for a request with a precise action: sign-in and OIDC routes outside /api, and
 * decisions inside it (a governance approval) that name what was decided. Inside /api it replaces the
 * entry the onResponse hook would write. `detail` is stored as JSON: never put a secret in it.
 */
export async function recordAudit(
  req: FastifyRequest,
  entry: {
    action: string;
    target?: string | null;
    outcome: AuditOutcome;
    detail?: Record<string, unknown>;
    status?: number;
    /** Who acted, when it is not (yet) req.principal (a sign-in: the user who signs in). */
    actor?: Principal;
  },
): Promise<void> {
  notes.set(req, { ...notes.get(req), recorded: true });
  await req.server.auditLog.record({
    ...actorOf(entry.actor ?? req.principal),
    action: entry.action,
    target: entry.target ?? null,
    method: req.method,
    route: req.routeOptions.url ?? null,
    ip: req.ip,
    outcome: entry.outcome,
    status: entry.status ?? null,
    detail: entry.detail ?? null,
  });
}

/** Decorates the root server with the audit log (before any scope is registered). */
export function decorateAudit(app: FastifyInstance, audit: AuditRepository): void {
  app.decorate('auditLog', audit);
}
