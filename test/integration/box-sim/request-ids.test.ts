/**
 * Contract: one request ID per request, the same in the error body's `request_id`, the `box-request-id`
 * header and box-sim's log line, so a failing call can be found in the simulator's log.
 */
import type { BoxClient } from 'box-node-sdk';
import { BoxApiError } from 'box-node-sdk/box';
import type { FetchResponse } from 'box-node-sdk/networking';
import { startBoxSim, type BoxSim } from '../../../box-sim';
import { connectAs, consent } from './sdk-session';

/** What box-sim logs for one request (pino's JSON line, the fields this test reads). */
interface LogLine {
  level: string;
  request_id?: string;
  method?: string;
  path?: string;
  status?: number;
  code?: string;
  msg: string;
}

/** Collects box-sim's log lines; `lineFor(id)` resolves when the line of that request is written. */
class LogTap {
  readonly lines: LogLine[] = [];
  private readonly waiting = new Map<string, (line: LogLine) => void>();

  write(text: string): void {
    for (const raw of text.split('\n').filter((l) => l.trim() !== '')) {
      const line = JSON.parse(raw) as LogLine;
      this.lines.push(line);
      if (line.request_id !== undefined && line.status !== undefined)
        this.waiting.get(line.request_id)?.(line);
    }
  }

  lineFor(requestId: string): Promise<LogLine> {
    const seen = this.lines.find((l) => l.request_id === requestId && l.status !== undefined);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiting.set(requestId, resolve));
  }
}

describe('box-sim request IDs', () => {
  let sim: BoxSim;
  let admin: BoxClient;
  const log = new LogTap();

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 5, users: 4, files: 40, logLevel: 'info', logDestination: log });
    admin = (await connectAs(sim, sim.manifest.admin.login)).client;
  });
  afterAll(async () => {
    await sim.close();
  });

  test("an SDK error's body request_id equals its box-request-id header and names box-sim's log line", async () => {
    const error = await admin.files.getFileById('1000099999999').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(BoxApiError);
    const info = (error as BoxApiError).responseInfo;
    const bodyId = (info.body as { request_id?: string }).request_id;
    expect(bodyId).toMatch(/^[0-9a-f]{16}$/);
    expect(info.headers['box-request-id']).toBe(bodyId);
    // (box-node-sdk 10.12's responseInfo.requestId holds the ID JSON-quoted, so the body is read instead.)
    const line = await log.lineFor(bodyId!);
    expect(line).toMatchObject({
      level: 'warn',
      method: 'GET',
      path: '/2.0/files/1000099999999',
      status: 404,
      code: 'not_found',
    });
  });

  test('a success carries box-request-id too, a new one per request, each in its own log line', async () => {
    const seen: Array<FetchResponse['headers']> = [];
    const tapped = admin.withInterceptors([
      {
        beforeRequest: (options) => options,
        afterRequest: (response) => (seen.push(response.headers), response),
      },
    ]);
    await tapped.folders.getFolderById('0');
    await tapped.users.getUserMe();
    expect(seen).toHaveLength(2);
    const ids = seen.map((h) => h['box-request-id']!);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(ids[1]).toMatch(/^[0-9a-f]{16}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(await log.lineFor(ids[0]!)).toMatchObject({
      level: 'info',
      path: '/2.0/folders/0',
      status: 200,
    });
    expect(await log.lineFor(ids[1]!)).toMatchObject({
      level: 'info',
      path: '/2.0/users/me',
      status: 200,
    });
  });

  test('errors built outside the handlers (unserved route, invalid JSON, injected 5xx, 401) carry it as well', async () => {
    const token = (await fetchToken(sim)).access_token;
    const auth = { authorization: `Bearer ${token}` };
    const answers = [
      await fetch(`${sim.baseUrl}/2.0/metadata_templates`, { headers: auth }),
      await fetch(`${sim.baseUrl}/2.0/webhooks`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{not json',
      }),
    ];
    sim.control.setFaults({ failNext: 1, errorStatus: 503 });
    answers.push(await fetch(`${sim.baseUrl}/2.0/users/me`, { headers: auth }));
    sim.control.setFaults({});
    const expected = [
      [404, 'not_found'],
      [400, 'bad_request'],
      [503, 'unavailable'],
    ];
    for (const [i, answer] of answers.entries()) {
      const body = (await answer.json()) as {
        type: string;
        status: number;
        code: string;
        request_id: string;
      };
      expect([answer.status, body.type, body.status, body.code]).toEqual([
        expected[i]![0],
        'error',
        expected[i]![0],
        expected[i]![1],
      ]);
      expect(answer.headers.get('box-request-id')).toBe(body.request_id);
      expect(await log.lineFor(body.request_id)).toMatchObject({
        status: expected[i]![0],
        code: expected[i]![1],
      });
    }
    const unauthorized = await fetch(`${sim.baseUrl}/2.0/users/me`);
    expect(unauthorized.status).toBe(401);
    const id = unauthorized.headers.get('box-request-id')!;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(await log.lineFor(id)).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  test('the log line has the path only: an access token in the query never reaches the log', async () => {
    const secret = 'not-a-real-token-but-secret';
    const answer = await fetch(`${sim.baseUrl}/2.0/files/1/content?access_token=${secret}`);
    expect(answer.status).toBe(401);
    await log.lineFor(answer.headers.get('box-request-id')!);
    expect(JSON.stringify(log.lines)).not.toContain(secret);
  });
});

/** An access token for the admin, straight from the token endpoint (for calls the SDK cannot make). */
async function fetchToken(sim: BoxSim): Promise<{ access_token: string }> {
  const code = (await consent(sim, sim.manifest.admin.login)).searchParams.get('code')!;
  const answer = await fetch(sim.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    }),
  });
  return (await answer.json()) as { access_token: string };
}
