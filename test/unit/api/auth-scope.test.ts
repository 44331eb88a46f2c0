import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { buildApiServer, routesOf } from '../../../api/server';
import { CONSOLE_SIGN_IN_ROUTES, PUBLIC_ROUTES } from '../../../api/route-table';
import type { RegisteredRoute } from '../../../api/route-table';
import { AUTH, TEST_TOKEN, startTestApi, type TestApi, addConnector } from '../../helpers/api-server';

const CONNECTOR = 'c0ffee000001';

/** A concrete path of a route pattern: every parameter filled with an existing connector's id. */
const pathOf = (r: RegisteredRoute) => r.url.replace(/:id\b/g, CONNECTOR).replace(/:code\b/g, 'not-found');

/** Spellings of one path that a router may take for the same route. */
function spellings(path: string): Array<[string, string]> {
  const encodeAll = (seg: string) =>
    [...seg].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`).join('');
  return [
    ['as registered', path],
    ['every segment percent-encoded', path.split('/').map(encodeAll).join('/')],
    ['first segment percent-encoded', path.replace('/api', '/%61pi')],
    ['mixed case', path.replace('/api', '/API').replace('connectors', 'Connectors')],
    ['double slashes', path.replace(/\//g, '//')],
    ['trailing slash', `${path}/`],
    ['a query string', `${path}?limit=1`],
  ];
}

/** Sends a raw HTTP/1.1 request (an absolute-form target, exactly as sent) and returns status and body. */
function rawRequest(
  port: number,
  requestLine: string,
  headers: string[] = [],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(
      `${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`,
    );
  });
}

describe('the API cannot be called without the token, however a request is spelled', () => {
  let api: TestApi;
  let routes: RegisteredRoute[];

  beforeAll(async () => {
    api = await startTestApi();
    await addConnector(api, CONNECTOR);
    api.temporal.running.add(`connector/${CONNECTOR}`);
    api.temporal.running.add(`connector/${CONNECTOR}/scan`);
    routes = routesOf(api.app);
  });
  afterAll(() => api.close());

  it('every route is either in the bearer scope or one of the listed public routes', () => {
    const publicOnes = routes.filter((r) => r.access === 'public' && r.method !== 'HEAD');
    expect(publicOnes.map((r) => `${r.method} ${r.url}`).sort()).toEqual([...PUBLIC_ROUTES].sort());
    const guarded = routes.filter((r) => r.access === 'bearer');
    expect(guarded.length).toBeGreaterThanOrEqual(10);
    const consolePages = routes.filter((r) => r.access === 'session' || r.access === 'sign-in');
    // The payload codec endpoint: its own scope, the same credential (its preflights answer CORS only).
    const codec = routes.filter((r) => r.access === 'codec');
    expect(codec.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'OPTIONS /codec/decode',
      'OPTIONS /codec/encode',
      'POST /codec/decode',
      'POST /codec/encode',
    ]);
    expect(
      routes.filter(
        (r) =>
          r.access !== 'bearer' && r.access !== 'public' && r.access !== 'codec' && !consolePages.includes(r),
      ),
    ).toEqual([]);
    expect(consolePages.every((r) => r.url === '/console' || r.url.startsWith('/console/'))).toBe(true);
    const signIn = consolePages.filter((r) => r.access === 'sign-in' && r.method !== 'HEAD');
    expect(signIn.map((r) => `${r.method} ${r.url}`).sort()).toEqual([...CONSOLE_SIGN_IN_ROUTES].sort());
    expect(guarded.every((r) => r.url.startsWith('/api/'))).toBe(true);
  });

  it('a server with a route outside both scopes refuses to start', async () => {
    const app = buildApiServer({ config: api.config, store: api.store, temporal: api.temporal.client });
    app.get('/api/sneaky', () => ({ secret: true }));
    await expect(app.ready()).rejects.toThrow(
      /GET \/api\/sneaky is neither in the \/api bearer scope nor a listed public route/,
    );
    await app.close().catch(() => undefined);
  });

  it('each non-public route answers 401 without the token and with a wrong one, in every spelling', async () => {
    const guarded = routes.filter((r) => r.access === 'bearer');
    const failures: string[] = [];
    for (const route of guarded) {
      for (const [how, url] of spellings(pathOf(route))) {
        for (const [who, headers] of [
          ['no token', {}],
          ['wrong token', { authorization: `Bearer ${TEST_TOKEN.replace(/.$/, 'x')}` }],
          ['token without Bearer', { authorization: TEST_TOKEN }],
        ] as const) {
          const res = await api.app.inject({ method: route.method as 'GET', url, headers });
          const type = res.statusCode === 401 && res.body ? res.json<{ type: string }>().type : '';
          if (res.statusCode !== 401 || (route.method !== 'HEAD' && type !== '/problems/unauthorized'))
            failures.push(`${route.method} ${url} (${how}, ${who}): ${res.statusCode}`);
        }
      }
      const options = await api.app.inject({ method: 'OPTIONS', url: pathOf(route) });
      if (options.statusCode !== 401) failures.push(`OPTIONS ${pathOf(route)}: ${options.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('with the token, the same routes answer (the check above can fail)', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/%61pi/connectors', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const one = await api.app.inject({ method: 'GET', url: `/api/connectors/${CONNECTOR}`, headers: AUTH });
    expect(one.json()).toMatchObject({ id: CONNECTOR });
    const head = await api.app.inject({ method: 'HEAD', url: '/api/connectors', headers: AUTH });
    expect(head.statusCode).toBe(200);
  });

  it('an absolute-form request target on a real socket is 401 without the token, 200 with it', async () => {
    const server = buildApiServer({ config: api.config, store: api.store, temporal: api.temporal.client });
    server.log.level = 'silent';
    await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = server.server.address() as AddressInfo;
      for (const target of [
        `http://127.0.0.1:${port}/api/connectors`,
        `http://127.0.0.1:${port}/%61pi/connectors`,
        `http://evil.example/api/connectors/${CONNECTOR}/findings`,
        `HTTP://127.0.0.1:${port}/api/box/app-keys`,
      ]) {
        const anon = await rawRequest(port, `GET ${target} HTTP/1.1`);
        expect({ target, status: anon.status }).toEqual({ target, status: 401 });
        expect(JSON.parse(anon.body)).toMatchObject({ type: '/problems/unauthorized' });
      }
      const authed = await rawRequest(port, `GET http://127.0.0.1:${port}/api/connectors HTTP/1.1`, [
        `Authorization: Bearer ${TEST_TOKEN}`,
      ]);
      expect(authed.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('unknown paths under /api say 401 without the token, 404 with it; outside /api, 404', async () => {
    for (const url of ['/api/nothing', '/API/secrets', '//api//x', '/%61pi/x', '/api']) {
      expect((await api.app.inject({ url })).statusCode).toBe(401);
      expect((await api.app.inject({ url, headers: AUTH })).statusCode).toBe(404);
    }
    expect((await api.app.inject({ url: '/nothing' })).statusCode).toBe(404);
  });
});
