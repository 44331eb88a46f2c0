/**
 * A worker process killed in the middle of a governance action (SIGKILL right after its first Box change,
 * CONNECT_BOX_TEST_FAULT=governance-mid-action): another worker process finishes it, no Box change is made
 * twice (box-sim's event log counts them), and the audit trail is complete.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { clickThroughConsent } from '../helpers/box-consent';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { createLocalEnv } from '../helpers/temporal-env';

const POLICIES = `version: 1
templates: []
policies:
  - id: ssn-exposed
    name: SSNs behind a link or shared outside
    severity: high
    filters: { accessLevels: [public, external] }
    content: { detectors: [{ detector: us_ssn }] }
    actions:
      - kind: make-private
        approval: required
`;

describe('a worker killed mid-action (real worker processes, dev server, box-sim)', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  let connectorId: string;
  let dir: string;
  const workers: ChildProcess[] = [];
  /** What each worker process wrote to stdout and stderr. */
  const outputs: Array<{ out: string; err: string }> = [];

  const spawnWorker = async (fault?: string): Promise<ChildProcess> => {
    const { child, written } = await spawnWorkerProcess(stack, env.address, {
      POLICY_FILE: join(dir, 'policies.yaml'),
      ...(fault && { CONNECT_BOX_TEST_FAULT: fault }),
    });
    workers.push(child);
    outputs.push(written);
    return child;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'governance-crash-'));
    writeFileSync(join(dir, 'policies.yaml'), POLICIES);
    env = await createLocalEnv();
    stack = await startConnectStack({ env, noWorker: true, sim: { users: 8, files: 400 } });
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await stack?.close();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the killed attempt is finished by another worker: each Box change made once, the audit complete', async () => {
    const first = await spawnWorker('governance-mid-action');
    const created = await stack.call('POST', '/api/connectors', { instanceName: 'Crash', dataCenter: 'US1' });
    connectorId = created.json.id as string;
    const redirect = await clickThroughConsent(
      created.json.authorizeUrl as string,
      stack.sim.manifest.admin.login,
    );
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    const waiting = await eventually(
      async () =>
        (
          await stack.call(
            'GET',
            `/api/connectors/${connectorId}/governance/actions?state=awaiting-approval&limit=1000`,
          )
        ).json?.items as any[] | undefined,
      {
        what: 'actions awaiting approval after the first pass',
        timeoutMs: 180_000,
        intervalMs: 500,
        accept: (items) =>
          (items ?? []).some((a) => stack.sim.manifest.file(a.fileId)?.sharedLinkAccess === 'open'),
      },
    );
    // A file with a public link: removing it is the first change, after which the worker dies.
    const action = waiting!.find((a) => stack.sim.manifest.file(a.fileId)?.sharedLinkAccess === 'open');
    const fileId = action.fileId as string;
    const since = Date.now() - 1000;

    const exited = new Promise<string | null>((resolve) =>
      first.once('exit', (_c, signal) => resolve(signal)),
    );
    const approved = await stack.call(
      'POST',
      `/api/connectors/${connectorId}/governance/actions/${action.id}/approve`,
      {},
    );
    expect(approved.status).toBe(200);
    expect(await exited).toBe('SIGKILL');
    // The link is gone (the change the worker died after), the rest not done yet.
    expect(stack.sim.manifest.file(fileId)!.sharedLinkAccess).toBe('none');

    await spawnWorker();
    const done = await eventually(
      async () =>
        (await stack.call('GET', `/api/connectors/${connectorId}/governance/actions/${action.id}`)).json,
      {
        what: 'the action to be finished by the second worker',
        timeoutMs: 120_000,
        intervalMs: 500,
        accept: (a: any) => ['done', 'failed', 'skipped'].includes(a?.state),
      },
    );
    expect(done.state).toBe('done');
    expect(done.audit.map((e: any) => e.event)).toEqual([
      'recorded',
      'awaiting-approval',
      'approved',
      'acting',
      'done',
    ]);
    expect(done.before.sharedLink.access).toBe('open');
    expect(done.after).toMatchObject({ sharedLink: null, collaborations: [] });
    expect(done.outcome).toContain('remove the open shared link');

    const changes = stack.sim.manifest
      .eventsBetween(since, Date.now() + 1000)
      .filter((e) => e.fileId === fileId)
      .map((e) => e.eventType);
    expect(changes.filter((t) => t === 'UNSHARE')).toHaveLength(1);
    const removed = changes.filter((t) => t === 'COLLABORATION_REMOVE').length;
    expect(removed).toBe(done.before.collaborations.length);
  }, 420_000);

  it("the worker processes wrote JSON log lines only (their own, the SDK's and the core's), with their fields", () => {
    expect(outputs.length).toBe(2);
    const lines = outputs.flatMap((o) => `${o.out}\n${o.err}`.split('\n')).filter((l) => l.trim() !== '');
    const notJson = lines.filter((l) => {
      try {
        return typeof JSON.parse(l) !== 'object';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const entry of entries)
      expect(entry).toEqual(
        expect.objectContaining({
          time: expect.any(String),
          level: expect.any(String),
          component: expect.any(String),
          msg: expect.any(String),
        }),
      );
    // The SDK's own lines come through the Runtime logger, with its metadata as fields.
    expect(entries.some((e) => e.component === 'worker' && typeof e.sdkComponent === 'string')).toBe(true);
    for (const e of entries.filter(
      (e) => typeof e.workflowId === 'string' && e.workflowId.startsWith('connector/'),
    ))
      expect(e.connectorId).toBe(connectorId);
  });
});
