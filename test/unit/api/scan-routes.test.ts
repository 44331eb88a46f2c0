import { ConnectorsRepository } from '../../../store/connectors-repository';
import { FindingsRepository } from '../../../store/findings-repository';
import { InventoryRepository, type FileRow } from '../../../store/inventory-repository';
import { AUTH, startTestApi, type TestApi } from '../../helpers/api-server';
import { userWithToken } from '../../helpers/people';

const AT = '2026-06-01T00:00:00.000Z';

function file(id: string, accessLevel: string): FileRow {
  return {
    connector_id: 'c1',
    file_id: id,
    owner_id: 'u1',
    owner_login: 'ann@acme.test',
    name: `${id}.csv`,
    path: `/HR/${id}.csv`,
    extension: 'csv',
    size: 2048,
    sha1: `sha-${id}`,
    access_level: accessLevel,
    shared_link_access: accessLevel === 'public' ? 'open' : null,
    collaborators_json: '{"internal":1,"external":0,"externalDomains":[]}',
    direct_collaborators_json: '[]',
    has_collaborations: 1,
    modified_at: AT,
    last_seen_pass: 1,
    walked_pass: 1,
    last_scanned_at: AT,
    scanned_sha1: `sha-${id}`,
    scanned_sharing_hash: 'h',
    scanned_policy_version: 'v',
    inspection_status: 'Completed',
    inspection_reason: 'inspected',
    deleted_at: null,
    updated_at: AT,
  };
}

describe('scan routes', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    const { store } = api;
    api.temporal.running.add('connector/c1/scan');
    const connectors = new ConnectorsRepository(store.db);
    await connectors.create({
      id: 'c1',
      instanceName: 'acme',
      dataCenter: 'US1',
      status: 'Connected',
      statusMessage: '',
    });
    await new InventoryRepository(store.db).upsertMany(
      Array.from({ length: 7 }, (_, i) => file(`f${i}`, i % 2 ? 'public' : 'private')),
    );
    await new FindingsRepository(store.db).sync(
      'c1',
      Array.from({ length: 7 }, (_, i) => ({
        fileId: `f${i}`,
        matches: [
          {
            policyId: i % 2 ? 'exposure-public-link' : 'pii-us-ssn',
            policyName: 'p',
            severity: i % 2 ? 'medium' : 'high',
            accessLevel: i % 2 ? 'public' : 'private',
            detectorCounts: i % 2 ? {} : { us_ssn: 3 },
            samples: i % 2 ? [] : [{ detector: 'us_ssn', masked: '***-**-8741', likelihood: 'likely' }],
          },
        ],
      })),
      AT,
    );
  });
  afterAll(() => api.close());

  const get = (url: string) => api.app.inject({ method: 'GET', url, headers: AUTH });
  const post = (url: string) => api.app.inject({ method: 'POST', url, headers: AUTH });

  test('files page by cursor and filter by access level and policy', async () => {
    const first = await get('/api/connectors/c1/files?accessLevel=private&limit=2');
    expect(first.statusCode).toBe(200);
    const body = first.json<{
      items: Array<{ fileId: string; owner: { login: string } }>;
      nextCursor?: string;
    }>();
    expect(body.items.map((f) => f.fileId)).toEqual(['f0', 'f2']);
    expect(body.items[0]).toMatchObject({
      owner: { login: 'ann@acme.test' },
      path: '/HR/f0.csv',
      accessLevel: 'private',
      collaborators: { internal: 1, external: 0 },
      inspection: { status: 'Completed' },
    });
    const second = await get(
      `/api/connectors/c1/files?accessLevel=private&limit=2&cursor=${body.nextCursor!}`,
    );
    const rest = second.json<{ items: Array<{ fileId: string }>; nextCursor?: string }>();
    expect(rest.items.map((f) => f.fileId)).toEqual(['f4', 'f6']);
    expect(rest.nextCursor).toBeUndefined();
    const byPolicy = await get('/api/connectors/c1/files?policy=exposure-public-link');
    expect(byPolicy.json<{ items: Array<{ fileId: string }> }>().items.map((f) => f.fileId)).toEqual([
      'f1',
      'f3',
      'f5',
    ]);
  });

  test('findings filter by severity, policy and status and carry masked samples only', async () => {
    const res = await get('/api/connectors/c1/findings?severity=high&status=open&limit=1000');
    expect(res.statusCode).toBe(200);
    const items = res.json<{ items: Array<Record<string, unknown>> }>().items;
    expect(items).toHaveLength(4);
    expect(items[0]).toMatchObject({
      policyId: 'pii-us-ssn',
      status: 'open',
      detectorCounts: { us_ssn: 3 },
      samples: [{ detector: 'us_ssn', masked: '***-**-8741', likelihood: 'likely' }],
      file: { ownerLogin: 'ann@acme.test' },
    });
    const pages: string[] = [];
    let cursor = '';
    do {
      const page = await get(`/api/connectors/c1/findings?policy=exposure-public-link&limit=2${cursor}`);
      const b = page.json<{ items: Array<{ fileId: string }>; nextCursor?: string }>();
      pages.push(...b.items.map((f) => f.fileId));
      cursor = b.nextCursor ? `&cursor=${b.nextCursor}` : '';
    } while (cursor);
    expect(pages.sort()).toEqual(['f1', 'f3', 'f5']);
    expect((await get('/api/connectors/c1/findings?status=closed')).json()).toEqual({ items: [] });
  });

  test('files filter by owner, shared link, severity and name (case-insensitive), combined', async () => {
    const ids = async (query: string) =>
      (await get(`/api/connectors/c1/files?${query}`))
        .json<{ items: Array<{ fileId: string }> }>()
        .items.map((f) => f.fileId);
    expect(await ids('owner=ANN@acme.test&limit=3')).toEqual(['f0', 'f1', 'f2']);
    expect(await ids('owner=bob@acme.test')).toEqual([]);
    expect(await ids('sharedLink=open')).toEqual(['f1', 'f3', 'f5']);
    expect(await ids('sharedLink=none&severity=high')).toEqual(['f0', 'f2', 'f4', 'f6']);
    expect(await ids('name=F3.CS')).toEqual(['f3']);
    expect(await ids('name=f&accessLevel=public&severity=medium')).toEqual(['f1', 'f3', 'f5']);
    expect(await ids('domain=partner.test')).toEqual([]);
  });

  test('an analyst dismisses an open finding with a reason and resolves another; a decided one is a 409', async () => {
    const { headers } = await userWithToken(api.store, 'analyst', 'ana@acme.test');
    const viewer = await userWithToken(api.store, 'viewer', 'vic@acme.test');
    const open = (await get('/api/connectors/c1/findings?policy=pii-us-ssn&status=open')).json<{
      items: Array<{ id: string; fileId: string }>;
    }>().items;
    const [first, second] = open;
    const decide = (id: string, what: string, payload: object | undefined, h = headers) =>
      api.app.inject({
        method: 'POST',
        url: `/api/connectors/c1/findings/${id}/${what}`,
        headers: h,
        payload,
      });
    expect((await decide(first!.id, 'dismiss', { reason: 'test data' }, viewer.headers)).statusCode).toBe(
      403,
    );
    const missing = await decide(first!.id, 'dismiss', {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ detail: string }>().detail).toContain('reason');
    const dismissed = await decide(first!.id, 'dismiss', { reason: 'test data' });
    expect(dismissed.statusCode).toBe(200);
    expect(dismissed.json()).toMatchObject({
      id: first!.id,
      status: 'dismissed',
      decision: { by: 'ana@acme.test', reason: 'test data' },
      file: { name: `${first!.fileId}.csv` },
    });
    const again = await decide(first!.id, 'resolve', undefined);
    expect(again.statusCode).toBe(409);
    expect(again.json<{ detail: string }>().detail).toContain('dismissed by ana@acme.test');
    const resolved = await decide(second!.id, 'resolve', undefined);
    expect(resolved.json()).toMatchObject({
      status: 'resolved',
      decision: { by: 'ana@acme.test', reason: null },
    });
    expect((await decide('00000000-0000-4000-8000-000000000000', 'resolve', undefined)).statusCode).toBe(404);
    expect((await decide('not-a-uuid', 'resolve', undefined)).statusCode).toBe(400);
    const byStatus = await get('/api/connectors/c1/findings?status=dismissed');
    expect(byStatus.json<{ items: Array<{ id: string }> }>().items.map((f) => f.id)).toEqual([first!.id]);
    const audit = await api.app.inject({ method: 'GET', url: '/api/audit?limit=100', headers: AUTH });
    const actions = audit.json<{ items: Array<{ action: string; target: string; outcome: string }> }>().items;
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'finding.dismiss', target: first!.id, outcome: 'ok' }),
        expect.objectContaining({ action: 'finding.resolve', target: second!.id, outcome: 'ok' }),
        expect.objectContaining({ action: 'finding.resolve', target: first!.id, outcome: 'failed' }),
      ]),
    );
  });

  test.each([
    ['/api/connectors/c1/files?owner=nobody', 'owner'],
    ['/api/connectors/c1/files?sharedLink=everyone', 'sharedLink'],
    ['/api/connectors/c1/files?severity=urgent', 'severity'],
    ['/api/connectors/c1/files?domain=not%20a%20domain', 'domain'],
    ['/api/connectors/c1/files?name=', 'name'],
    ['/api/connectors/c1/findings?file=abc', 'file'],
    ['/api/connectors/c1/files?accessLevel=everyone', 'accessLevel'],
    ['/api/connectors/c1/files?limit=0', 'limit'],
    ['/api/connectors/c1/files?limit=5000', 'limit'],
    ['/api/connectors/c1/files?colour=red', 'colour'],
    ['/api/connectors/c1/files?cursor=garbage', 'cursor'],
    ['/api/connectors/c1/findings?severity=urgent', 'severity'],
    ['/api/connectors/c1/findings?status=maybe', 'status'],
    ['/api/connectors/c1/findings?policy=Not%20A%20Policy', 'policy'],
    ['/api/connectors/c1/findings?cursor=garbage', 'cursor'],
  ])('%s is a 400 naming %s', async (url, parameter) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ type: string; detail: string }>()).toMatchObject({ type: '/problems/invalid-request' });
    expect(res.json<{ detail: string }>().detail).toContain(parameter);
  });

  test('an unknown connector is a 404', async () => {
    expect((await get('/api/connectors/nope/files')).statusCode).toBe(404);
    expect((await get('/api/connectors/nope/findings')).statusCode).toBe(404);
    expect((await post('/api/connectors/nope/rescan')).statusCode).toBe(404);
  });

  test('rescan signals the scan workflow, or answers 409 when the scan is not running', async () => {
    const res = await post('/api/connectors/c1/rescan');
    expect(res.statusCode).toBe(202);
    expect(
      api.temporal.calls.filter((c) => c.kind === 'signal').map((c) => `${c.workflowId}:${c.name}`),
    ).toEqual(['connector/c1/scan:rescanNow']);
    api.temporal.running.delete('connector/c1/scan');
    const conflict = await post('/api/connectors/c1/rescan');
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json<{ detail: string }>().detail).toContain('not running');
  });
});
