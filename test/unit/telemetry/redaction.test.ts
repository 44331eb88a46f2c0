import { createLogger } from '../../../telemetry/logger';
import { CENSOR, redactText, redactValue } from '../../../telemetry/redact';
import { apiLoggerOptions } from '../../../api/request-log';
import Fastify from 'fastify';

/** A logger at debug whose JSON lines are kept, parsed, and kept as text. */
function capture(component = 'worker') {
  const raw: string[] = [];
  const log = createLogger(component, { write: (line: string) => void raw.push(line) }, 'debug');
  return { log, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const TOKEN = 'T0kenVALUE1234567890abcdef';

describe('redaction of secrets in log lines', () => {
  it('censors fields named like a secret at any depth, in arrays too, without touching the logged object', () => {
    const { log, raw, lines } = capture();
    const logged = {
      connector: { box: { tokens: { accessToken: TOKEN, refresh_token: TOKEN } } },
      calls: [{ headers: { Authorization: `Bearer ${TOKEN}`, 'Box-Signature-Primary': TOKEN } }],
      oauth: { code: 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY', state: 'v1.c-1.1700000000.sig' },
      user: { password: 'hunter2hunter2', login: 'ann@acme.test' },
    };
    log.info(logged, 'connector loaded');
    expect(lines()[0]).toMatchObject({
      connector: { box: { tokens: { accessToken: CENSOR, refresh_token: CENSOR } } },
      calls: [{ headers: { Authorization: CENSOR, 'Box-Signature-Primary': CENSOR } }],
      oauth: { code: CENSOR, state: CENSOR },
      user: { password: CENSOR, login: 'ann@acme.test' },
    });
    expect(raw.join('')).not.toMatch(/T0kenVALUE|aB3dE5|hunter2|sig"/);
    expect(logged.connector.box.tokens.accessToken).toBe(TOKEN); // the caller's object is left as it was
  });

  it('censors top-level fields named like a secret, whatever the line pass would see', () => {
    const { log, raw } = capture();
    log.info({ taskToken: 'CiQwMWEy', apiKey: 'k-1', csrf: 'c-1', code: 'q1W2e3R4' }, 'top level');
    expect(JSON.parse(raw[0]!)).toMatchObject({
      taskToken: CENSOR,
      apiKey: CENSOR,
      csrf: CENSOR,
      code: CENSOR,
    });
  });

  it('keeps error codes and worker states that share a secret field name', () => {
    const { log, lines } = capture();
    log.warn(
      { code: 'ECONNREFUSED', state: 'RUNNING', box: { code: 'invalid_grant' }, status: { code: 404 } },
      'x',
    );
    expect(lines()[0]).toMatchObject({
      code: 'ECONNREFUSED',
      state: 'RUNNING',
      box: { code: 'invalid_grant' },
      status: { code: 404 },
    });
  });

  it('an error: its message, stack, own fields and cause are searched; type and code stay', () => {
    const { log, raw, lines } = capture();
    const cause = new Error(`upstream said {"refresh_token":"${TOKEN}"}`);
    const err = Object.assign(
      new Error(`POST /oauth2/token?grant_type=authorization_code&code=${TOKEN} failed`, { cause }),
      {
        code: 'ECONNRESET',
        requestInfo: {
          headers: { authorization: `Bearer ${TOKEN}` },
          body: `refresh_token=${TOKEN}&client_secret=${TOKEN}`,
        },
      },
    );
    log.error({ err }, 'token refresh failed');
    log.error(err); // an error as the only argument: pino takes its message as the line's msg
    expect(raw.join('')).not.toContain(TOKEN);
    const [first, second] = lines();
    expect(first).toMatchObject({
      msg: 'token refresh failed',
      err: {
        type: 'Error',
        code: 'ECONNRESET',
        message: `POST /oauth2/token?grant_type=authorization_code&code=${CENSOR} failed`,
        requestInfo: {
          headers: { authorization: CENSOR },
          body: `refresh_token=${CENSOR}&client_secret=${CENSOR}`,
        },
      },
    });
    expect(JSON.stringify(first!.err)).toContain('upstream said');
    expect(second!.msg).toBe(`POST /oauth2/token?grant_type=authorization_code&code=${CENSOR} failed`);
  });

  it('secrets written inside the message text are censored', () => {
    const { log, raw } = capture();
    log.warn(`Box answered 401 to "Authorization: Bearer ${TOKEN}"`);
    log.warn(`callback /oauth/box/callback?code=${TOKEN}&state=${TOKEN}`);
    log.warn(`body {"access_token":"${TOKEN}","token_type":"bearer"}`);
    log.warn(`headers box-signature-secondary: ${TOKEN}, cookie: cb_session=${TOKEN}`);
    expect(raw.join('')).not.toContain(TOKEN);
    expect(raw.every((l) => l.includes(CENSOR))).toBe(true);
  });

  it('leaves ordinary text alone: bearer and basic as words, exit codes', () => {
    expect(redactText('the API needs a bearer token; basic scanning done')).toBe(
      'the API needs a bearer token; basic scanning done',
    );
    expect(redactText('"code":"not_found"')).toBe('"code":"not_found"');
  });

  it('an unmasked sample (masking: none) is censored; masked samples are kept', () => {
    expect(
      redactValue({ samples: [{ masked: '123-45-6789', unmasked: true }, { masked: '***-**-6789' }] }),
    ).toEqual({ samples: [{ masked: CENSOR, unmasked: true }, { masked: '***-**-6789' }] });
  });

  it('cycles and very deep objects are cut, not thrown on', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    let deep: Record<string, unknown> = { token: TOKEN };
    for (let i = 0; i < 20; i++) deep = { deep };
    const { log, raw } = capture();
    log.info({ a, deep }, 'shapes');
    expect(raw[0]).toContain('[circular]');
    expect(raw[0]).toContain('[too deep]');
    expect(raw[0]).not.toContain(TOKEN);
  });

  it('child bindings are redacted too', () => {
    const { log, raw } = capture();
    log.child({ connectorId: 'c-1', auth: { accessToken: TOKEN } }).info('bound');
    expect(raw[0]).toContain('"connectorId":"c-1"');
    expect(raw[0]).not.toContain(TOKEN);
  });

  it('every line carries time (ISO 8601), level by name, component, pid and msg', () => {
    const { log, lines } = capture('box');
    log.info('hello');
    const line = lines()[0]!;
    expect(line).toMatchObject({ level: 'info', component: 'box', pid: process.pid, msg: 'hello' });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it("the API's Fastify logger has the same format and redaction, with component 'api'", async () => {
    const raw: string[] = [];
    const app = Fastify({
      logger: apiLoggerOptions('info', { write: (l: string) => void raw.push(l) } as never),
    });
    app.get('/x', (req) => {
      req.log.warn({ upstream: { headers: { authorization: `Bearer ${TOKEN}` } } }, `refused code=${TOKEN}`);
      return 'ok';
    });
    await app.inject({
      method: 'GET',
      url: `/x?code=${TOKEN}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    await app.close();
    const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatchObject({ component: 'api', level: expect.any(String) });
    expect(lines.find((l) => l.level === 'warn')).toMatchObject({
      msg: `refused code=${CENSOR}`,
      upstream: { headers: { authorization: CENSOR } },
    });
    expect(raw.join('')).not.toContain(TOKEN);
  });
});
