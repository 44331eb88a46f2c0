import { readFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PROBLEM_CODES } from '../../../api/problem';
import { buildApiServer, routesOf } from '../../../api/server';
import { AUTH, startTestApi, type TestApi, addConnector } from '../../helpers/api-server';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>> };

const PROBLEM_KEYS = ['detail', 'instance', 'status', 'title', 'type'];

/** Asserts an RFC 9457 problem of `status`: media type, members, and no stack trace. */
function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(
    Object.keys(body)
      .filter((k) => k !== 'errors')
      .sort(),
  ).toEqual(PROBLEM_KEYS);
  expect(body.status).toBe(status);
  expect(String(body.type)).toMatch(/^\/problems\/[a-z-]+$/);
  expect(res.body).not.toMatch(/at .+\.(ts|js):\d+/);
  return body;
}

describe('one error shape: RFC 9457 problems', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await addConnector(api, 'c1');
  });
  afterAll(() => api.close());

  it('404 for an unknown route and for an unknown connector', async () => {
    expectProblem(await api.app.inject({ url: '/nope' }), 404);
    const body = expectProblem(await api.app.inject({ url: '/api/connectors/nope', headers: AUTH }), 404);
    expect(body.detail).toBe("No connector with id 'nope'.");
  });

  it('405 with an Allow header for a known path and another method', async () => {
    const res = await api.app.inject({ method: 'PUT', url: '/api/connectors', headers: AUTH });
    expectProblem(res, 405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
  });

  it('400 names each bad field, in the path, the query and the body', async () => {
    const path = expectProblem(await api.app.inject({ url: '/api/connectors/bad$id', headers: AUTH }), 400);
    expect(path.detail).toBe('Invalid path: id: a connector id (letters, digits, dashes; at most 64).');
    const query = expectProblem(
      await api.app.inject({ url: '/api/connectors/c1/files?limit=0&colour=red', headers: AUTH }),
      400,
    );
    expect(query.errors).toEqual([
      { in: 'query', field: 'limit', message: 'at least 1' },
      { in: 'query', field: 'colour', message: 'unknown parameter' },
    ]);
    const body = expectProblem(
      await api.app.inject({
        method: 'POST',
        url: '/api/connectors',
        headers: AUTH,
        payload: { dataCenter: 'MARS' },
      }),
      400,
    );
    expect(body.detail).toMatch(/Invalid body: instanceName: a name; dataCenter: one of US1/);
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url: '/api/connectors',
        headers: { ...AUTH, 'content-type': 'application/json' },
        payload: '{nope',
      }),
      400,
    );
  });

  it('409 names the connector that already has the name', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/connectors',
      headers: AUTH,
      payload: { instanceName: '  ACME ', dataCenter: 'US1' },
    });
    expect(expectProblem(res, 409).detail).toContain("'Acme' (id c1)");
  });

  it('413 for a body over the limit, 415 for a body that is not JSON', async () => {
    const big = JSON.stringify({ instanceName: 'x'.repeat(1_100_000), dataCenter: 'US1' });
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url: '/api/connectors',
        headers: { ...AUTH, 'content-type': 'application/json' },
        payload: big,
      }),
      413,
    );
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url: '/api/connectors',
        headers: { ...AUTH, 'content-type': 'text/plain' },
        payload: 'instanceName=x',
      }),
      415,
    );
  });

  it('414 for an oversized path, without echoing it', async () => {
    const long = `/api/connectors/${'x'.repeat(10_000)}`;
    const res = await api.app.inject({ url: long, headers: AUTH });
    const body = expectProblem(res, 414);
    expect(res.body.length).toBeLessThan(600);
    expect(String(body.instance).length).toBeLessThan(220);
  });

  it('431 for oversized headers, from the HTTP parser itself', async () => {
    const server = buildApiServer({ config: api.config, store: api.store, temporal: api.temporal.client });
    server.log.level = 'silent';
    await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = server.server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let data = '';
        socket.on('data', (c) => (data += c.toString('utf8')));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
        socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 431 /);
      expect(answer).toContain('application/problem+json');
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431 });
    } finally {
      await server.close();
    }
  });

  it('/healthz says what is down, not why (no address or driver message to anonymous callers)', async () => {
    const service = api.temporal.client.workflowService as unknown as {
      getSystemInfo: () => Promise<unknown>;
    };
    const real = service.getSystemInfo;
    service.getSystemInfo = () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:7233'));
    try {
      const res = await api.app.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'degraded',
        checks: { store: 'ok', temporal: 'unavailable' },
      });
      expect(res.body).not.toContain('10.1.2.3');
      expect(api.logs.lines.some((l) => l.includes('health check failed'))).toBe(true);
    } finally {
      service.getSystemInfo = real;
    }
  });

  it('every problem type has a page', async () => {
    for (const code of PROBLEM_CODES) {
      const res = await api.app.inject({ url: `/problems/${code}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
    expectProblem(await api.app.inject({ url: '/problems/no-such-thing' }), 404);
  });

  it('HTML pages carry security headers', async () => {
    const res = await api.app.inject({ url: '/oauth/box/callback' });
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('429 with retry-after when a client goes over its rate', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ API_RATE_LIMIT: '5', OAUTH_CALLBACK_RATE_LIMIT: '3' });
  });
  afterAll(() => api.close());

  it('counts requests with and without the token alike (guessing the token is rate limited too)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.app.inject({ url: '/api/connectors' })).statusCode);
    statuses.push((await api.app.inject({ url: '/api/connectors', headers: AUTH })).statusCode);
    const over = await api.app.inject({ url: '/api/connectors', headers: AUTH });
    expect(statuses).toEqual([401, 401, 401, 401, 200]);
    expectProblem(over, 429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is not affected.
    const other = await api.app.inject({ url: '/api/connectors', headers: AUTH, remoteAddress: '127.0.0.9' });
    expect(other.statusCode).toBe(200);
  });

  it('the OAuth callback has its own, lower limit', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await api.app.inject({ url: '/oauth/box/callback?state=x' })).statusCode);
    expect(codes).toEqual([400, 400, 400, 429]);
  });
});

describe('the OpenAPI document is generated from the routes and covers every one', () => {
  let api: TestApi;
  let doc: Doc;
  beforeAll(async () => {
    api = await startTestApi();
    doc = (await api.app.inject({ url: '/openapi.json' })).json<Doc>();
  });
  afterAll(() => api.close());

  const asOpenApi = (url: string) => url.replace(/:([a-z]+)/gi, '{$1}');

  it('every registered route is in the document, and the document has nothing else', () => {
    // The console's pages (access session and sign-in) are for browsers, not API operations; nor are the
    // codec endpoint's CORS preflights.
    const registered = routesOf(api.app)
      .filter(
        (r) =>
          r.method !== 'HEAD' &&
          (r.access === 'public' ||
            r.access === 'bearer' ||
            (r.access === 'codec' && r.method !== 'OPTIONS')),
      )
      .map((r) => `${r.method.toLowerCase()} ${asOpenApi(r.url)}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
  });

  it('errors are documented as problems, and the /api and /codec operations need the bearer token (decode: or a console session)', () => {
    const ops = Object.entries(doc.paths).flatMap(([path, o]) =>
      Object.values(o).map((op) => ({ path, op })),
    );
    for (const { path, op } of ops) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && response.content)
          expect(Object.keys(response.content)).toEqual(['application/problem+json']);
      }
      const security = (op as { security?: unknown[] }).security;
      expect({ path, security }).toEqual({
        path,
        security:
          path === '/codec/decode'
            ? [{ bearer: [] }, { codecSession: [] }]
            : path.startsWith('/api/') || path.startsWith('/codec/')
              ? [{ bearer: [] }]
              : [],
      });
    }
  });

  it("the README's API table lists exactly the documented operations", () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## API'), readme.indexOf('## Configuration'));
    const listed = [...section.matchAll(/^\| `(GET|POST|DELETE|PUT|PATCH) ([^` ?]+)[^`]*`/gm)]
      .map((m) => `${m[1]!.toLowerCase()} ${asOpenApi(m[2]!)}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    expect(listed).toEqual(documented);
  });
});
