import type { RouteOptions } from 'fastify';
import { buildApiServer, routesOf } from '../../../api/server';
import { RouteTable, type RegisteredRoute } from '../../../api/route-table';
import { ROLES, roleAllows, type Role } from '../../../domain/roles';
import { AUTH, addConnector, startTestApi, type TestApi } from '../../helpers/api-server';
import { userWithToken } from '../../helpers/people';

/**
 * What each /api route must need, written by hand: a route that declares another role, or a new route
 * missing here, fails this test (add it here with the role docs/security.md gives its group).
 */
const EXPECTED: Record<string, Role> = {
  'POST /api/connectors': 'admin',
  'GET /api/connectors': 'viewer',
  'GET /api/box/app-keys': 'admin',
  'GET /api/connectors/:id': 'viewer',
  'DELETE /api/connectors/:id': 'admin',
  'POST /api/connectors/:id/authorize': 'admin',
  'GET /api/connectors/:id/files': 'viewer',
  'GET /api/connectors/:id/findings': 'viewer',
  'POST /api/connectors/:id/rescan': 'analyst',
  'POST /api/connectors/:id/findings/:findingId/dismiss': 'analyst',
  'POST /api/connectors/:id/findings/:findingId/resolve': 'analyst',
  'GET /api/connectors/:id/governance/actions': 'viewer',
  'GET /api/connectors/:id/governance/actions/:actionId': 'viewer',
  'POST /api/connectors/:id/governance/actions/:actionId/approve': 'analyst',
  'POST /api/connectors/:id/governance/actions/:actionId/reject': 'analyst',
  'POST /api/connectors/:id/files/:fileId/governance': 'analyst',
  'POST /api/connectors/:id/files/:fileId/restore': 'analyst',
  'GET /api/connectors/:id/files/:fileId/audit': 'viewer',
  'GET /api/connectors/:id/events': 'viewer',
  'GET /api/connectors/:id/activities': 'viewer',
  'POST /api/tokens': 'viewer',
  'GET /api/tokens': 'viewer',
  'DELETE /api/tokens/:id': 'viewer',
  'GET /api/accounts': 'admin',
  'POST /api/accounts': 'admin',
  'GET /api/accounts/:id': 'admin',
  'PATCH /api/accounts/:id': 'admin',
  'GET /api/audit': 'admin',
  'GET /api/metrics': 'viewer',
};

const CONNECTOR = 'c0ffee000042';

/** The name of a route in EXPECTED (HEAD is its GET's). */
const nameOf = (r: RegisteredRoute) => `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;

describe('every /api route declares its role, and each role gets exactly the routes it may call', () => {
  let api: TestApi;
  let routes: RegisteredRoute[];
  const headersOf = {} as Record<Role, { authorization: string }>;
  let otherTokenId: string;
  let otherUserId: string;

  beforeAll(async () => {
    api = await startTestApi();
    await addConnector(api, CONNECTOR);
    api.temporal.running.add(`connector/${CONNECTOR}`);
    api.temporal.running.add(`connector/${CONNECTOR}/scan`);
    for (const role of ROLES)
      headersOf[role] = (await userWithToken(api.store, role, `role-${role}`)).headers;
    const other = await userWithToken(api.store, 'viewer', 'someone-else');
    otherTokenId = other.tokenId;
    otherUserId = other.user.id;
    routes = routesOf(api.app).filter((r) => r.access === 'bearer');
  });
  afterAll(() => api.close());

  /** A concrete path of a route pattern: each :id filled with an existing thing of its kind. */
  const pathOf = (url: string) =>
    url
      .replace(/^\/api\/connectors\/:id/, `/api/connectors/${CONNECTOR}`)
      .replace(/^\/api\/tokens\/:id/, `/api/tokens/${otherTokenId}`)
      .replace(/^\/api\/accounts\/:id/, `/api/accounts/${otherUserId}`);

  it('the routes are exactly those of the table above, each declaring the role the table gives', () => {
    const declared = Object.fromEntries(
      routes.filter((r) => r.method !== 'HEAD').map((r) => [nameOf(r), r.role]),
    );
    expect(declared).toEqual(EXPECTED);
    for (const r of routes)
      expect({ route: `${r.method} ${r.url}`, role: r.role }).toEqual({
        route: `${r.method} ${r.url}`,
        role: EXPECTED[nameOf(r)],
      });
  });

  it('allowed: never 401/403 (a 2xx or the route’s own 4xx); denied: a 403 forbidden problem naming the role', async () => {
    const failures: string[] = [];
    let allowedCount = 0;
    let deniedCount = 0;
    for (const route of routes) {
      const need = EXPECTED[nameOf(route)]!;
      for (const role of ROLES) {
        const res = await api.app.inject({
          method: route.method as 'GET',
          url: pathOf(route.url),
          headers: headersOf[role],
          ...(['POST', 'PATCH', 'PUT'].includes(route.method) && { payload: {} }),
        });
        const what = `${route.method} ${route.url} as ${role} (needs ${need}): ${res.statusCode}`;
        if (roleAllows(role, need)) {
          allowedCount++;
          if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode >= 500) failures.push(what);
        } else {
          deniedCount++;
          if (res.statusCode !== 403) failures.push(what);
          else if (route.method !== 'HEAD') {
            const body = res.json<{ type: string; detail: string }>();
            if (body.type !== '/problems/forbidden' || !body.detail.includes(`needs the role '${need}'`))
              failures.push(`${what} ${res.body}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(allowedCount).toBeGreaterThan(20);
    expect(deniedCount).toBeGreaterThan(10);
  });

  it('the bootstrap API_TOKEN is an admin: it passes every role check', async () => {
    for (const route of routes) {
      const res = await api.app.inject({
        method: route.method as 'GET',
        url: pathOf(route.url),
        headers: AUTH,
        ...(['POST', 'PATCH', 'PUT'].includes(route.method) && {
          payload: nameOf(route) === 'POST /api/tokens' ? { name: 'bootstrap' } : {},
        }),
      });
      // POST /api/tokens refuses the bootstrap token as an owner (403 with its own detail, not a role).
      if (nameOf(route) === 'POST /api/tokens') {
        expect(res.json<{ detail: string }>().detail).toMatch(/bootstrap API_TOKEN is not a user/);
        continue;
      }
      expect({ route: `${route.method} ${route.url}`, refused: [401, 403].includes(res.statusCode) }).toEqual(
        {
          route: `${route.method} ${route.url}`,
          refused: false,
        },
      );
    }
  });

  it('a token of a lower role than its owner carries the lower role', async () => {
    const { headers } = await userWithToken(api.store, 'admin', 'admin-with-viewer-token', {
      tokenRole: 'viewer',
    });
    const res = await api.app.inject({ url: '/api/accounts', headers });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ detail: string }>().detail).toMatch(/needs the role 'admin'.*has the role 'viewer'/);
    expect((await api.app.inject({ url: '/api/connectors', headers })).statusCode).toBe(200);
  });
});

describe('the route table refuses an /api route without a role', () => {
  it('RouteTable.assertGuarded names the route', () => {
    const table = new RouteTable();
    table.add({
      method: 'GET',
      url: '/api/ok',
      config: { access: 'bearer', role: 'viewer' },
    } as RouteOptions);
    expect(() => table.assertGuarded()).not.toThrow();
    table.add({ method: 'POST', url: '/api/roleless', config: { access: 'bearer' } } as RouteOptions);
    expect(() => table.assertGuarded()).toThrow(/POST \/api\/roleless declares no role/);
  });

  it('a server with a roleless route in the /api scope does not start', async () => {
    const api = await startTestApi();
    try {
      const app = buildApiServer({ config: api.config, store: api.store, temporal: api.temporal.client });
      // The /api scope's own onRoute hook marks routes 'bearer'; a child scope under /api gets the same.
      void app.register(
        async (scope) => {
          scope.addHook('onRoute', (r) => {
            r.config = { ...r.config, access: 'bearer' };
          });
          scope.get('/roleless', () => ({ secret: true }));
          return Promise.resolve();
        },
        { prefix: '/api' },
      );
      await expect(app.ready()).rejects.toThrow(/GET \/api\/roleless declares no role/);
      await app.close().catch(() => undefined);
    } finally {
      await api.close();
    }
  });
});
