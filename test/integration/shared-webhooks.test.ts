import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../common/workflow-ids';
import { progressQuery } from '../../workflows/scan-files-messages';
import { EventLogRepository } from '../../store/event-log-repository';
import { WebhooksRepository } from '../../store/webhooks-repository';
import { clickThroughConsent } from '../helpers/box-consent';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { createLocalEnv } from '../helpers/temporal-env';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';

describe('shared enterprise webhooks: an admin and a co-admin connector of one Box enterprise', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  const ids: { admin: string; coadmin: string } = { admin: '', coadmin: '' };
  let hooks: WebhooksRepository;
  let events: EventLogRepository;

  const connect = async (name: string, login: string): Promise<string> => {
    const created = await stack.call('POST', '/api/connectors', { instanceName: name, dataCenter: 'US1' });
    const id = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      login,
    );
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(
      async () =>
        (await stack.call('GET', `/api/connectors/${id}`)).json?.status === 'Connected' &&
        (await hooks.count(id)) > 0,
      { what: `${name} to be Connected with webhooks`, timeoutMs: 90_000, intervalMs: 200 },
    );
    return id;
  };
  const priorityScanned = (id: string) =>
    stack.temporal.workflow
      .getHandle(workflowIds.scan(id))
      .query(progressQuery)
      .then((p) => p.priorityScanned);
  /** Edits a file and waits until each connector recorded it and rescanned one more file. */
  const editAndExpectRescan = async (fileId: string, connectors: string[]) => {
    const before = await Promise.all(connectors.map(priorityScanned));
    stack.sim.control.edit(fileId);
    await stack.sim.webhooksIdle();
    for (const [i, id] of connectors.entries()) {
      await eventually(() => priorityScanned(id), {
        what: `connector ${id} to rescan file ${fileId}`,
        timeoutMs: 60_000,
        intervalMs: 200,
        accept: (n) => n >= before[i]! + 1,
      });
    }
  };
  const uploadsOf = async (id: string, fileId: string) =>
    (await events.query(id, { fileId, types: ['FILE.UPLOADED'] })).items.length;

  beforeAll(async () => {
    const port = await freePort();
    env = await createLocalEnv();
    stack = await startConnectStack({
      env,
      sim: { users: 6, files: 150, webhookRetryDelaysMs: [300, 600, 1200], webhookTimeoutMs: 10_000 },
      settings: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
    });
    await stack.api.listen({ port, host: '127.0.0.1' });
    hooks = new WebhooksRepository(stack.deps.store.db);
    events = new EventLogRepository(stack.deps.store.db);
    ids.admin = await connect('Admin', stack.sim.manifest.admin.login);
    ids.coadmin = await connect('Co-admin', stack.sim.manifest.coadmins[0]!.login);
  }, 240_000);
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
  });

  /** Files below a top-level folder of plain users: watched for both connectors. */
  const plainUserFiles = () => {
    const plain = new Set(stack.sim.manifest.users.filter((u) => u.role === 'user').map((u) => u.id));
    return [...stack.sim.manifest.files({ activeOnly: true })].filter(
      (f) => plain.has(f.ownerId) && f.path.split('/').length > 2,
    );
  };

  it("both connectors record the same Box webhooks for plain users' folders (Box keeps one per app and folder)", async () => {
    const plain = new Set(stack.sim.manifest.users.filter((u) => u.role === 'user').map((u) => u.id));
    const plainHooks = async (id: string) =>
      (await hooks.list(id))
        .filter((h) => plain.has(h.user_id))
        .map((h) => `${h.target_id}:${h.webhook_id}`)
        .sort();
    // Connected means registration started: each connector's first pass records its users one by one.
    const topLevelFolders = new Set(plainUserFiles().map((f) => `${f.ownerId}/${f.path.split('/')[1]}`)).size;
    const [adminPlain, coadminPlain] = await eventually(
      () => Promise.all([plainHooks(ids.admin), plainHooks(ids.coadmin)]),
      {
        what: "both connectors to record the same webhook on every plain user's top-level folder",
        timeoutMs: 60_000,
        intervalMs: 200,
        accept: ([a, c]) => a.length >= topLevelFolders && a.join() === c.join(),
      },
    );
    expect(adminPlain.length).toBeGreaterThan(0);
    expect(coadminPlain).toEqual(adminPlain);
  });

  it('both rescan every edit; each records the delivery once in its own event log', async () => {
    const [a, b] = plainUserFiles();
    for (const f of [a!, b!]) {
      await editAndExpectRescan(f.id, [ids.admin, ids.coadmin]);
      expect(await uploadsOf(ids.admin, f.id)).toBe(1);
      expect(await uploadsOf(ids.coadmin, f.id)).toBe(1);
    }
  });

  it('after the admin connector disconnects, the co-admin connector still rescans every edit', async () => {
    const shared = (await hooks.list(ids.coadmin)).length;
    const res = await stack.call('DELETE', `/api/connectors/${ids.admin}`);
    expect(res.status).toBeLessThan(300);
    await eventually(async () => (await stack.call('GET', `/api/connectors/${ids.admin}`)).json?.status, {
      what: 'the admin connector to be Disconnected',
      timeoutMs: 60_000,
      intervalMs: 200,
      accept: (s) => s === 'Disconnected',
    });
    expect((await hooks.list(ids.coadmin)).length).toBe(shared);
    // What the co-admin connector records as watched is still at Box: edits in those folders reach it.
    const c = plainUserFiles()[5]!;
    await editAndExpectRescan(c.id, [ids.coadmin]);
    expect(await uploadsOf(ids.coadmin, c.id)).toBe(1);
    expect(await uploadsOf(ids.admin, c.id)).toBe(0);
  });
});
