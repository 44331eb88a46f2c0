/**
 * The control API under /_sim/ (no Box path starts with it): user actions, knobs, token tricks,
 * statistics and the ground truth, for tests, benchmarks and demos.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserActions } from './user-actions';
import { boxErrors } from './errors';
import type { GroundTruth } from './ground-truth';
import type { SimStats } from './realism';
import type { SimState } from './state';

/** File operations of the control API, by route segment. */
export const FILE_OPERATIONS = [
  'edit',
  'share',
  'collaborate',
  'uncollaborate',
  'preview',
  'download',
  'rename',
  'move',
  'copy',
  'trash',
  'restore',
  'delete',
] as const;

type Body = Record<string, unknown>;

/** Registers /_sim/ routes. */
export function registerControlRoutes(
  app: FastifyInstance,
  state: SimState,
  manifest: GroundTruth,
  stats: () => SimStats,
): void {
  const control: UserActions = state.control;
  const body = (req: FastifyRequest) => (req.body ?? {}) as Body;
  const fileId = (req: FastifyRequest) => (req.params as { id: string }).id;

  for (const op of FILE_OPERATIONS) {
    app.post(`/_sim/files/:id/${op}`, (req) => {
      const input = body(req) as never;
      return control[op](fileId(req), input);
    });
  }
  app.post('/_sim/folders/:id/upload', (req) => control.upload(fileId(req), body(req) as never));

  app.get('/_sim/health', () => ({ ok: true, instance: state.options.instance }));
  app.get('/_sim/', () => ({
    about: 'box-sim control API: see box-sim/README.md',
    baseUrl: state.baseUrl,
    oauth2Url: `${state.baseUrl}/api/oauth2`,
    clientId: state.options.clientId,
    routes: [
      ...FILE_OPERATIONS.map((op) => `POST /_sim/files/:id/${op}`),
      'POST /_sim/folders/:id/upload',
      'GET /_sim/stats',
      'POST /_sim/stats/reset',
      'GET /_sim/faults',
      'POST /_sim/faults',
      'POST /_sim/rate-limit',
      'POST /_sim/latency',
      'POST /_sim/tokens/expire',
      'POST /_sim/tokens/revoke',
      'POST /_sim/app/remove',
      'GET /_sim/manifest',
      'GET /_sim/manifest/files',
      'GET /_sim/manifest/files/:id',
      'GET /_sim/manifest/events',
      'GET /_sim/webhooks/deliveries',
      'GET /_sim/health',
    ],
  }));
  app.get('/_sim/stats', () => stats());
  app.post('/_sim/stats/reset', () => {
    state.stats.reset();
    return stats();
  });
  app.get('/_sim/faults', () => state.faults.current());
  app.post('/_sim/faults', (req) => {
    state.faults.configure(body(req));
    return state.faults.current();
  });
  app.post('/_sim/rate-limit', (req) => {
    const { perMinute, burst } = body(req) as { perMinute?: number; burst?: number };
    if (typeof perMinute !== 'number')
      throw boxErrors.badRequest('perMinute (number) is required; 0 disables the limit');
    state.limiter.configure(perMinute, burst);
    return { perMinute, burst: burst ?? perMinute };
  });
  app.post('/_sim/latency', (req) => {
    const { ms } = body(req) as { ms?: number };
    if (typeof ms !== 'number' || ms < 0) throw boxErrors.badRequest('ms (number >= 0) is required');
    state.latencyMs = ms;
    return { ms };
  });
  app.post('/_sim/tokens/expire', (req) => ({
    expired: state.tokens.expireAccessTokens((body(req).accessToken as string | undefined) ?? undefined),
  }));
  app.post('/_sim/tokens/revoke', (req) => {
    const token = body(req).token;
    if (typeof token !== 'string') throw boxErrors.badRequest('token is required');
    state.tokens.revoke(token);
    return { revoked: true };
  });
  app.post('/_sim/app/remove', (req) => ({
    revoked: state.tokens.removeApp((body(req).clientId as string | undefined) ?? undefined),
  }));

  app.get('/_sim/manifest', () => ({
    seed: manifest.seed,
    enterpriseId: manifest.enterpriseId,
    users: manifest.users,
    fileCount: manifest.fileCount(),
    folderCount: manifest.folderCount,
    eventCount: manifest.eventCount(),
  }));
  app.get('/_sim/manifest/files/:id', (req) => {
    const file = manifest.file(fileId(req));
    if (!file) throw boxErrors.notFound('file', fileId(req));
    return file;
  });
  app.get('/_sim/manifest/files', (req) => {
    const q = req.query as { offset?: string; limit?: string; ownerId?: string; activeOnly?: string };
    const offset = Number(q.offset ?? 0);
    const limit = Math.min(10_000, Number(q.limit ?? 1000));
    const entries = [];
    let i = 0;
    for (const f of manifest.files({
      activeOnly: q.activeOnly === 'true',
      ...(q.ownerId ? { ownerId: q.ownerId } : {}),
    })) {
      if (i++ < offset) continue;
      if (entries.length >= limit) break;
      entries.push(f);
    }
    return { offset, limit, entries };
  });
  app.get('/_sim/manifest/events', (req) => {
    const q = req.query as { after?: string; before?: string; limit?: string };
    if (!q.after || !q.before) throw boxErrors.badRequest('after and before (RFC 3339) are required');
    const count = manifest.countEventsBetween(q.after, q.before);
    const limit = Math.min(100_000, Number(q.limit ?? 10_000));
    return { count, events: count <= limit ? manifest.eventsBetween(q.after, q.before) : undefined };
  });
  app.get('/_sim/webhooks/deliveries', () => state.deliverer.log());
}
