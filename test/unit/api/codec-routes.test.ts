import { defaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, payloadCodecOf } from '../../../config/payload-codec';
import { routesOf } from '../../../api/server';
import { AUTH, startTestApi, type TestApi } from '../../helpers/api-server';
import { userWithToken } from '../../helpers/people';

const UI = 'http://127.0.0.1:8233';
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const json = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(p.data!),
  };
};
const text = (b64text: string | undefined) => Buffer.from(b64text ?? '', 'base64').toString('utf8');

describe('the payload codec endpoint /codec (codec server protocol for the Web UI and the CLI)', () => {
  let api: TestApi;
  let viewer: { authorization: string };
  let analyst: { authorization: string };
  beforeAll(async () => {
    api = await startTestApi();
    viewer = (await userWithToken(api.store, 'viewer', 'codec-viewer')).headers;
    analyst = (await userWithToken(api.store, 'analyst', 'codec-analyst')).headers;
  });
  afterAll(() => api.close());

  const post = (op: string, body: unknown, headers: Record<string, string> = AUTH) =>
    api.app.inject({ method: 'POST', url: `/codec/${op}`, payload: body as object, headers });

  it('encode then decode round-trips; the encoded payload names its key and hides the value', async () => {
    const value = { adminLogin: 'admin@northwind.example', fileId: 'f-1234' };
    const encoded = await post('encode', { payloads: [json(value)] }, { ...AUTH, 'x-namespace': 'default' });
    expect(encoded.statusCode).toBe(200);
    const [payload] = encoded.json<{ payloads: Array<{ metadata: Record<string, string>; data: string }> }>()
      .payloads;
    expect(text(payload!.metadata[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(payload!.metadata[KEY_ID_METADATA])).toBe(payloadCodecOf(api.config).currentKeyId);
    expect(text(payload!.data)).not.toContain('northwind');
    const decoded = await post('decode', { payloads: [payload] }, viewer);
    expect(decoded.statusCode).toBe(200);
    const [clear] = decoded.json<{ payloads: Array<{ metadata: Record<string, string>; data: string }> }>()
      .payloads;
    expect(text(clear!.metadata.encoding)).toBe('json/plain');
    expect(JSON.parse(text(clear!.data))).toEqual(value);
  });

  it('decodes what the workers encoded (the same configuration, the same key), and passes plain payloads through', async () => {
    const codec = payloadCodecOf(api.config);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload('from a worker')]);
    const body = {
      payloads: [
        {
          metadata: {
            encoding: b64(sealed!.metadata!.encoding!),
            [KEY_ID_METADATA]: b64(sealed!.metadata![KEY_ID_METADATA]!),
          },
          data: b64(sealed!.data!),
        },
        json('recorded before the codec'),
      ],
    };
    const res = await post('decode', body, viewer);
    expect(res.statusCode).toBe(200);
    const out = res
      .json<{ payloads: Array<{ data: string }> }>()
      .payloads.map((p) => JSON.parse(text(p.data)));
    expect(out).toEqual(['from a worker', 'recorded before the codec']);
  });

  it('401 without a credential, on both routes and on unknown /codec paths', async () => {
    for (const url of ['/codec/decode', '/codec/encode', '/codec/nothing-here']) {
      const res = await api.app.inject({ method: 'POST', url, payload: { payloads: [] } });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 401 });
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('roles: a viewer decodes but may not encode (403 naming admin); an analyst neither encodes', async () => {
    expect((await post('decode', { payloads: [] }, viewer)).statusCode).toBe(200);
    for (const who of [viewer, analyst]) {
      const res = await post('encode', { payloads: [json('x')] }, who);
      expect(res.statusCode).toBe(403);
      expect(res.json<{ detail: string }>().detail).toContain("needs the role 'admin'");
    }
  });

  it('bad bodies are 400 problems naming the field; an unknown key id is a 400 naming the id', async () => {
    for (const body of [
      {},
      { payloads: 'nope' },
      { payloads: [{ data: 'not base64!' }] },
      { payloads: [], extra: 1 },
    ]) {
      const res = await post('decode', body);
      expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
      expect(res.json<{ type: string }>().type).toBe('/problems/invalid-request');
    }
    const notJson = await api.app.inject({
      method: 'POST',
      url: '/codec/decode',
      payload: '{"payloads": [',
      headers: { ...AUTH, 'content-type': 'application/json' },
    });
    expect(notJson.statusCode).toBe(400);
    const unknown = await post('decode', {
      payloads: [
        {
          metadata: {
            encoding: b64(Buffer.from(ENCRYPTED_ENCODING)),
            [KEY_ID_METADATA]: b64(Buffer.from('deadbeef')),
          },
          data: b64(Buffer.alloc(40)),
        },
      ],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ detail: string }>().detail).toContain('deadbeef');
    const otherNamespace = await post('decode', { payloads: [] }, { ...AUTH, 'x-namespace': 'elsewhere' });
    expect(otherNamespace.statusCode).toBe(400);
    expect(otherNamespace.json<{ detail: string }>().detail).toContain("'elsewhere'");
  });

  it('CORS: the Web UI origin gets its preflight answered without a credential, other origins do not', async () => {
    const preflight = (origin: string) =>
      api.app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const ok = await preflight(UI);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    expect(String(ok.headers['access-control-allow-headers'])).toContain('x-namespace');
    expect(String(ok.headers['access-control-allow-headers'])).toContain('authorization');
    expect(String(ok.headers['access-control-allow-methods'])).toContain('POST');
    expect((await preflight('http://localhost:8233')).statusCode).toBe(204);
    const evil = await preflight('https://evil.example');
    expect(evil.statusCode).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    // The answer itself (and its errors) carry the origin for the UI, never for another origin.
    const answer = await post('decode', { payloads: [] }, { ...viewer, origin: UI });
    expect(answer.headers['access-control-allow-origin']).toBe(UI);
    const refused = await post('decode', { payloads: [] }, { origin: UI });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(UI);
    const foreign = await post('decode', { payloads: [] }, { ...viewer, origin: 'https://evil.example' });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('CODEC_CORS_ORIGINS replaces the default origins; TEMPORAL_UI_PORT moves the default', async () => {
    const custom = await startTestApi({ CODEC_CORS_ORIGINS: 'https://temporal-ui.example.com' });
    const moved = await startTestApi({ TEMPORAL_UI_PORT: '18233' });
    try {
      const ask = (a: TestApi, origin: string) =>
        a.app.inject({
          method: 'OPTIONS',
          url: '/codec/encode',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      expect((await ask(custom, 'https://temporal-ui.example.com')).statusCode).toBe(204);
      expect((await ask(custom, UI)).statusCode).toBe(403);
      expect((await ask(moved, 'http://127.0.0.1:18233')).statusCode).toBe(204);
      expect((await ask(moved, UI)).statusCode).toBe(403);
    } finally {
      await custom.close();
      await moved.close();
    }
  });

  it('an endpoint configured with a trailing slash works too (the Web UI and the CLI append "/decode")', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/codec//decode',
      payload: { payloads: [] },
      headers: viewer,
    });
    expect(res.statusCode).toBe(200);
  });

  it('every /codec route is in the codec scope; POSTs declare their role, preflights none', () => {
    const codec = routesOf(api.app).filter((r) => r.url.startsWith('/codec'));
    expect(codec.map((r) => `${r.method} ${r.url} ${r.access} ${r.role ?? '-'}`).sort()).toEqual([
      'OPTIONS /codec/decode codec -',
      'OPTIONS /codec/encode codec -',
      'POST /codec/decode codec viewer',
      'POST /codec/encode codec admin',
    ]);
  });
});
