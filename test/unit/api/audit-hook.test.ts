import Fastify from 'fastify';
import { auditAction, auditHook, decorateAudit, outcomeOf, recordAudit } from '../../../api/audit';
import { AuditRepository } from '../../../store/audit-repository';
import { openStore, type Store } from '../../../store/database';

describe('audit helpers', () => {
  it('derives action names from routes, unless the route declares one', () => {
    expect(auditAction('POST', '/api/connectors')).toBe('connector.create');
    expect(auditAction('DELETE', '/api/connectors/:id')).toBe('connector.delete');
    expect(auditAction('POST', '/api/connectors/:id/rescan')).toBe('connector.rescan');
    expect(auditAction('PATCH', '/api/accounts/:id')).toBe('account.update');
    expect(auditAction('POST', '/api/policies')).toBe('policy.create');
    expect(auditAction('POST', '/api/governance/actions/:id/approve')).toBe('governance.actions.approve');
    expect(auditAction('DELETE', '/api/connectors/:id', 'connector.disconnect')).toBe('connector.disconnect');
  });

  it('maps statuses to outcomes', () => {
    expect([200, 201, 202, 204, 401, 403, 400, 404, 409, 500].map(outcomeOf)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'denied',
      'denied',
      'failed',
      'failed',
      'failed',
      'failed',
    ]);
  });
});

describe('recordAudit and the onResponse hook', () => {
  let store: Store;
  let audit: AuditRepository;
  const app = Fastify();
  beforeAll(async () => {
    store = await openStore('sqlite::memory:');
    audit = new AuditRepository(store.db);
    decorateAudit(app, audit);
    // A route outside /api (a sign-in) records its own entry, for the user who signs in.
    app.post('/sign-in', async (req) => {
      await recordAudit(req, {
        action: 'session.sign-in',
        outcome: 'ok',
        target: 'u_1',
        actor: { kind: 'session', userId: 'u_1', login: 'alice', role: 'viewer' },
        detail: { method: 'password' },
      });
      return { ok: true };
    });
    // A scope with the hook: one route names its decision itself, the other relies on the hook.
    void app.register(
      async (scope) => {
        scope.addHook('onRequest', (req, _reply, done) => {
          req.principal = { kind: 'personal-token', userId: 'u_2', login: 'bob', role: 'analyst' };
          done();
        });
        scope.addHook('onResponse', auditHook());
        scope.post('/decisions/:id/approve', async (req) => {
          await recordAudit(req, { action: 'governance.approve', outcome: 'ok', target: 'd1' });
          return { approved: true };
        });
        scope.post('/things', { config: { action: 'thing.make' } }, () => ({ made: true }));
        scope.get('/things', () => ({ items: [] }));
        return Promise.resolve();
      },
      { prefix: '/api' },
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('writes one entry per state-changing request, with the precise action when the handler gives one', async () => {
    await app.inject({ method: 'POST', url: '/sign-in' });
    await app.inject({ method: 'POST', url: '/api/decisions/d1/approve' });
    await app.inject({ method: 'POST', url: '/api/things' });
    await app.inject({ method: 'GET', url: '/api/things' });
    const { items } = await audit.list();
    expect(items.map((e) => [e.action, e.actor_kind, e.actor_login, e.target, e.route])).toEqual([
      ['thing.make', 'personal-token', 'bob', null, '/api/things'],
      ['governance.approve', 'personal-token', 'bob', 'd1', '/api/decisions/:id/approve'],
      ['session.sign-in', 'session', 'alice', 'u_1', '/sign-in'],
    ]);
    expect(items[2]).toMatchObject({ detail: '{"method":"password"}', method: 'POST', ip: '127.0.0.1' });
  });
});
