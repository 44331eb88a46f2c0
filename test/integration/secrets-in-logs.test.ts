import { randomBytes } from 'node:crypto';
import { clickThroughConsent } from '../../box-sim/consent-client';
import { boxSignature } from '../../api/webhook-signature';
import { createLogger } from '../../telemetry/logger';
import { PinoSdkLogger } from '../../telemetry/sdk-logger';
import { workflowIds } from '../../common/workflow-ids';
import { progressQuery } from '../../workflows/scan-files-messages';
import { LogCapture } from '../helpers/api-server';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { runtimeLogTaps } from '../helpers/quiet-runtime';
import type { LogEntry } from '@temporalio/worker';

describe('no secret reaches a log line (connect flow on the dev server with box-sim)', () => {
  let stack: ConnectStack;
  const apiLog = new LogCapture();
  const workerLines: string[] = [];
  // The same entries as the worker process writes them: through the SDK logger adapter into pino.
  const workerJson: string[] = [];
  const workerPino = new PinoSdkLogger(
    createLogger('worker', { write: (line: string) => void workerJson.push(line) }, 'debug'),
  );
  const tap = (entry: LogEntry) => {
    workerLines.push(`${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {})}`);
    workerPino.log(entry.level, entry.message, entry.meta);
  };

  beforeAll(async () => {
    runtimeLogTaps.add(tap);
    stack = await startConnectStack({ apiLog, settings: { LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    runtimeLogTaps.delete(tap);
    await stack?.close();
  });

  it('the OAuth code, the state and the access and refresh tokens appear in no API or worker log line', async () => {
    const created = await stack.call('POST', '/api/connectors', { instanceName: 'Logs', dataCenter: 'US1' });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      stack.sim.manifest.admin.login,
    );
    const code = redirect.searchParams.get('code')!;
    const state = redirect.searchParams.get('state')!;
    const page = await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    expect(page.body).toContain('Box was successfully connected');
    // Let the scan run a while: its activities log too.
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(id));
    await eventually(async () => (await scan.query(progressQuery)).filesSeen > 0, {
      what: 'the scan to see files',
    });
    const token = (await stack.deps.vault.load(id))!;

    // A webhook delivery whose signature is refused: the signature is not logged either.
    const body = JSON.stringify({
      type: 'webhook_event',
      trigger: 'FILE.UPLOADED',
      source: { id: '1', type: 'file' },
    });
    const timestamp = new Date().toISOString();
    const signature = boxSignature(Buffer.from(body), timestamp, randomBytes(16).toString('hex'));
    const refused = await stack.api.inject({
      method: 'POST',
      url: '/webhooks/box',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'box-delivery-id': 'd-logs-1',
        'box-delivery-timestamp': timestamp,
        'box-signature-version': '1',
        'box-signature-algorithm': 'HmacSHA256',
        'box-signature-primary': signature,
      },
    });
    expect(refused.statusCode).toBe(401);

    const secrets = { code, state, access: token.accessToken, refresh: token.refreshToken, signature };
    const lines = [...apiLog.lines, ...workerLines, ...workerJson];
    // The capture works: the callback request itself was logged, without its query string.
    expect(apiLog.lines.some((l) => l.includes('/oauth/box/callback?[redacted]'))).toBe(true);
    expect(workerLines.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThan(8);
      expect({ name, hits: lines.filter((l) => l.includes(secret)).length }).toEqual({ name, hits: 0 });
    }
  });

  it("the API's and the worker's lines are JSON with time, level, component and msg; workflow lines name their connector", () => {
    const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const api = parse(apiLog.lines);
    const worker = parse(workerJson);
    for (const [component, entries] of [
      ['api', api],
      ['worker', worker],
    ] as const) {
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries)
        expect(e).toEqual(
          expect.objectContaining({
            time: expect.any(String),
            level: expect.any(String),
            component,
            msg: expect.any(String),
          }),
        );
    }
    const ofConnector = worker.filter(
      (e) => typeof e.workflowId === 'string' && e.workflowId.startsWith('connector/'),
    );
    expect(ofConnector.length).toBeGreaterThan(0);
    for (const e of ofConnector) expect(e.connectorId).toBe((e.workflowId as string).split('/')[1]);
    // The SDK's lines about an activity carry its name and its workflow (and no task token).
    const ofActivity = worker.filter((e) => typeof e.activity === 'string');
    expect(ofActivity.length).toBeGreaterThan(0);
    for (const e of ofActivity)
      expect(e).toEqual(
        expect.objectContaining({
          activityId: expect.any(String),
          workflowId: expect.any(String),
          taskToken: '[redacted]',
        }),
      );
  });
});
