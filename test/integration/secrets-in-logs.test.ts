import { clickThroughConsent } from '../../box-sim/consent-client';
import { workflowIds } from '../../common/workflow-ids';
import { progressQuery } from '../../workflows/scan-files-messages';
import { LogCapture } from '../helpers/api-server';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { runtimeLogTaps } from '../helpers/quiet-runtime';

describe('no secret reaches a log line (connect flow on the dev server with box-sim)', () => {
  let stack: ConnectStack;
  const apiLog = new LogCapture();
  const workerLines: string[] = [];
  const tap = (entry: { level: string; message: string; meta?: unknown }) =>
    workerLines.push(`${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {})}`);

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

    const secrets = { code, state, access: token.accessToken, refresh: token.refreshToken };
    const lines = [...apiLog.lines, ...workerLines];
    // The capture works: the callback request itself was logged, without its query string.
    expect(apiLog.lines.some((l) => l.includes('/oauth/box/callback?[redacted]'))).toBe(true);
    expect(workerLines.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThan(8);
      expect({ name, hits: lines.filter((l) => l.includes(secret)).length }).toEqual({ name, hits: 0 });
    }
  });
});
