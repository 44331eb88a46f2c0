/**
 * Governance end to end on box-sim through the real SDK: a policy file with actions, the scan recording
 * them with its new findings and starting their workflows, automatic and approved actions changing Box,
 * the rescan closing the findings, and manual actions (every kind) through the API.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FileTruth } from '../../box-sim';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { GovernanceRepository } from '../../store/governance-repository';
import { clickThroughConsent } from '../helpers/box-consent';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { createLocalEnv } from '../helpers/temporal-env';

const POLICIES = `version: 1
templates: []
policies:
  - id: ssn-public
    name: SSNs behind a public link
    severity: high
    filters: { accessLevels: [public] }
    content: { detectors: [{ detector: us_ssn }] }
    actions:
      - kind: remove-shared-link
        approval: automatic
  - id: ssn-external
    name: SSNs shared outside the enterprise
    severity: high
    filters: { accessLevels: [external] }
    content: { detectors: [{ detector: us_ssn }] }
    actions:
      - kind: remove-external-collaborators
        approval: required
        expiresInDays: 3
  - id: ssn-anywhere
    name: SSNs in any file (trash, once approved)
    severity: medium
    content: { detectors: [{ detector: us_ssn }] }
    actions:
      - kind: trash
        approval: required
`;

describe('governance on box-sim (dev server, real SDK, API)', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  let sink: SmtpSink;
  let connectorId: string;
  let repo: GovernanceRepository;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const dir = mkdtempSync(join(tmpdir(), 'governance-it-'));
    const policyFile = join(dir, 'policies.yaml');
    writeFileSync(policyFile, POLICIES);
    env = await createLocalEnv();
    stack = await startConnectStack({
      env,
      sim: { users: 8, files: 400 },
      settings: {
        POLICY_FILE: policyFile,
        SMTP_HOST: sink.host,
        SMTP_PORT: String(sink.port),
        MAIL_FROM: 'connect-box@acme.test',
      },
    });
    repo = new GovernanceRepository(stack.deps.store.db);
    const created = await stack.call('POST', '/api/connectors', { instanceName: 'Gov', dataCenter: 'US1' });
    connectorId = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      stack.sim.manifest.admin.login,
    );
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(
      async () => (await stack.call('GET', `/api/connectors/${connectorId}`)).json?.scan?.lastPassCompletedAt,
      { what: 'the first scan pass to complete', timeoutMs: 180_000, intervalMs: 250, accept: Boolean },
    );
  });
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
    await sink?.close();
  });

  const actions = async (query = '') =>
    (await stack.call('GET', `/api/connectors/${connectorId}/governance/actions?limit=1000${query}`)).json
      .items as any[];
  const truth = (fileId: string): FileTruth => stack.sim.manifest.file(fileId)!;
  const settled = (id: string) =>
    eventually(
      async () => (await stack.call('GET', `/api/connectors/${connectorId}/governance/actions/${id}`)).json,
      {
        what: `action ${id} to end`,
        timeoutMs: 60_000,
        intervalMs: 200,
        accept: (a: any) => ['done', 'skipped', 'failed', 'rejected', 'expired'].includes(a?.state),
      },
    );
  const manual = async (fileId: string, kind: string, params?: object) => {
    const res = await stack.call('POST', `/api/connectors/${connectorId}/files/${fileId}/governance`, {
      kind,
      ...(params && { params }),
    });
    expect(res.status).toBe(202);
    return settled(res.json.id);
  };
  /** Waits until the inventory's row of the file satisfies `pick` (the rescan after an action). */
  const inventorySees = (fileId: string, pick: (f: any) => boolean) =>
    eventually(
      async () =>
        (await stack.call('GET', `/api/connectors/${connectorId}/files?limit=1000`)).json.items.find(
          (f: any) => f.fileId === fileId,
        ),
      {
        what: `the inventory to show the change of file ${fileId}`,
        timeoutMs: 30_000,
        accept: (f) => !!f && pick(f),
      },
    );
  /** Active files of the sim matching `pick`, the first `skip` left out. */
  const fileWhere = (pick: (f: FileTruth) => boolean, skip = 0) =>
    [...stack.sim.manifest.files({ activeOnly: true })].filter(pick)[skip];

  it('a new finding of a policy with an automatic action removes the public link; the rescan closes the finding', async () => {
    const automatic = await eventually(() => actions('&policy=ssn-public'), {
      what: 'the automatic actions of ssn-public',
      timeoutMs: 60_000,
      accept: (list) => list.length > 0,
    });
    const done = await Promise.all(automatic.map((a) => settled(a.id)));
    for (const a of done) {
      expect(a).toMatchObject({ kind: 'remove-shared-link', mode: 'automatic', state: 'done' });
      expect(a.before.sharedLink.access).toBe('open');
      expect(a.after.sharedLink).toBeNull();
      expect(truth(a.fileId).sharedLinkAccess).toBe('none');
      expect(a.audit.map((e: any) => e.event)).toEqual(['recorded', 'acting', 'done']);
    }
    // The rescan through the priority lane sees the file private now: the ssn-public finding closes.
    const fileId = done[0].fileId as string;
    await eventually(
      async () =>
        (
          await stack.call('GET', `/api/connectors/${connectorId}/findings?policy=ssn-public&status=open`)
        ).json.items.filter((f: any) => f.fileId === fileId).length,
      { what: 'the finding to close after the rescan', timeoutMs: 60_000, accept: (n) => n === 0 },
    );
    const files = (await stack.call('GET', `/api/connectors/${connectorId}/files?limit=1000`)).json.items;
    expect(files.find((f: any) => f.fileId === fileId).sharedLinkAccess).toBeNull();
    // Repeats of the same finding record nothing new: one action per finding.
    const again = await actions('&policy=ssn-public');
    expect(new Set(again.map((a) => a.findingId)).size).toBe(again.length);
  });

  it('an action awaiting approval is approved through the API and acts; another is rejected', async () => {
    const waiting = await eventually(() => actions('&state=awaiting-approval&policy=ssn-external'), {
      what: 'actions awaiting approval',
      timeoutMs: 60_000,
      accept: (list) => list.length > 0,
    });
    const [first, second] = waiting;
    expect(first.expiresAt).toBeTruthy();
    const approved = await stack.call(
      'POST',
      `/api/connectors/${connectorId}/governance/actions/${first.id}/approve`,
      { note: 'confirmed with the owner' },
    );
    expect(approved.status).toBe(200);
    // The answer is the action as it stands once approved: the workflow may already be acting on it.
    expect(approved.json).toMatchObject({ approver: 'api-token' });
    expect(['approved', 'running', 'done']).toContain((approved.json as { state: string }).state);
    const done = await settled(first.id);
    expect(done.state).toBe('done');
    expect(truth(first.fileId).collaborators.external).toEqual([]);
    const twice = await stack.call(
      'POST',
      `/api/connectors/${connectorId}/governance/actions/${first.id}/approve`,
      {},
    );
    expect(twice.status).toBe(409);
    if (second) {
      const externalBefore = truth(second.fileId).collaborators.external;
      const rejected = await stack.call(
        'POST',
        `/api/connectors/${connectorId}/governance/actions/${second.id}/reject`,
        { reason: 'a supplier must see it' },
      );
      expect(rejected.status).toBe(200);
      expect(rejected.json).toMatchObject({ state: 'rejected', reason: 'a supplier must see it' });
      expect(truth(second.fileId).collaborators.external).toEqual(externalBefore);
    }
    const unknown = await stack.call(
      'POST',
      `/api/connectors/${connectorId}/governance/actions/00000000-0000-4000-8000-000000000000/approve`,
      {},
    );
    expect(unknown.status).toBe(404);
    const noReason = await stack.call(
      'POST',
      `/api/connectors/${connectorId}/governance/actions/${first.id}/reject`,
      {},
    );
    expect(noReason.status).toBe(400);
  });

  it('a file edited after its finding is skipped with the reason when the approved action comes to act', async () => {
    const waiting = await eventually(() => actions('&state=awaiting-approval&policy=ssn-anywhere'), {
      what: 'actions of ssn-anywhere awaiting approval',
      timeoutMs: 60_000,
      accept: (list) => list.length > 0,
    });
    const action = waiting[0];
    const sha1Before = truth(action.fileId).sha1;
    stack.sim.control.edit(action.fileId, { text: 'rewritten: nothing sensitive here any more' });
    expect(truth(action.fileId).sha1).not.toBe(sha1Before);
    const approved = await stack.call(
      'POST',
      `/api/connectors/${connectorId}/governance/actions/${action.id}/approve`,
      {},
    );
    expect(approved.status).toBe(200);
    const ended = await settled(action.id);
    expect(ended.state).toBe('skipped');
    expect(ended.reason).toMatch(/content changed since the finding/);
    expect(truth(action.fileId).trashed).toBe(false);
    expect(ended.audit.map((e: any) => e.event)).toContain('skipped');
  });

  it('manual actions: restrict, expiry, remove a collaborator, make private, trash', async () => {
    // A file with a public link and no SSN: no policy acts on it meanwhile.
    const linked = fileWhere((f) => f.sharedLinkAccess === 'open' && !f.planted?.us_ssn)!;
    const restricted = await manual(linked.id, 'restrict-shared-link', { access: 'company' });
    expect(restricted.state).toBe('done');
    expect(truth(linked.id).sharedLinkAccess).toBe('company');
    // A manual action checks the file against the inventory: wait for the rescan the first one asked for.
    await inventorySees(linked.id, (f) => f.sharedLinkAccess === 'company');

    const expiring = await manual(linked.id, 'set-shared-link-expiry', { days: 3 });
    expect(expiring.state).toBe('done');
    expect(truth(linked.id).sharedLinkUnsharedAt).not.toBeNull();

    const collaborated = fileWhere(
      (f) =>
        f.collaborators.internal.length + f.collaborators.external.length > 0 &&
        f.sharedLinkAccess === 'none' &&
        !f.planted?.us_ssn,
    );
    if (collaborated) {
      const login = [...collaborated.collaborators.internal, ...collaborated.collaborators.external][0]!;
      const direct = await manual(collaborated.id, 'remove-collaborator', { login });
      // An inherited collaborator (from a folder) is not the file's own: nothing to remove then.
      expect(direct.state).toBe('done');
      if (direct.before.collaborations.some((c: any) => c.login === login))
        expect(direct.after.collaborations.some((c: any) => c.login === login)).toBe(false);
      const now = truth(collaborated.id).collaborators;
      await inventorySees(
        collaborated.id,
        (f) =>
          f.collaborators.internal + f.collaborators.external === now.internal.length + now.external.length,
      );
      const state = await manual(collaborated.id, 'make-private');
      expect(state.state).toBe('done');
      expect(state.after.collaborations).toEqual([]);
      expect(state.after.sharedLink).toBeNull();
    }

    const toTrash = fileWhere((f) => f.sharedLinkAccess === 'none' && !f.planted?.us_ssn, 3)!;
    const trashed = await manual(toTrash.id, 'trash');
    expect(trashed.state).toBe('done');
    expect(truth(toTrash.id).trashed).toBe(true);
    const restored = await stack.call(
      'POST',
      `/api/connectors/${connectorId}/files/${toTrash.id}/restore`,
      {},
    );
    expect(restored.status).toBe(202);
    expect((await settled(restored.json.id)).state).toBe('done');
    expect(truth(toTrash.id).trashed).toBe(false);
  });

  it('quarantine moves the file to the admin quarantine folder with a note; restore moves it back', async () => {
    const file = fileWhere((f) => f.sharedLinkAccess === 'none' && f.path.split('/').length > 2, 5)!;
    const parent = file.parentId;
    const quarantined = await manual(file.id, 'quarantine', { contact: 'security@acme.test' });
    expect(quarantined.state).toBe('done');
    expect(truth(file.id).parentId).not.toBe(parent);
    expect(truth(file.id).ownerId).toBe(stack.sim.manifest.admin.id);
    const note = [...stack.sim.manifest.files({ activeOnly: true })].find(
      (f) => f.parentId === parent && f.name.startsWith(file.name) && f.name.endsWith('quarantine.txt'),
    );
    expect(note).toBeDefined();
    const restored = await stack.call('POST', `/api/connectors/${connectorId}/files/${file.id}/restore`, {});
    expect((await settled(restored.json.id)).state).toBe('done');
    expect(truth(file.id).parentId).toBe(parent);
    expect(truth(file.id).ownerId).toBe(file.ownerId);
    const audit = (await stack.call('GET', `/api/connectors/${connectorId}/files/${file.id}/audit`)).json
      .items;
    expect(audit.map((e: any) => e.event)).toEqual([
      'recorded',
      'acting',
      'done',
      'recorded',
      'acting',
      'done',
    ]);
  });

  it('notify-owner e-mails the owner through SMTP; a bad kind or parameter is a 400', async () => {
    const file = fileWhere((f) => f.sharedLinkAccess === 'none', 7)!;
    const before = sink.messages.length;
    const notified = await manual(file.id, 'notify-owner', { cc: ['security@acme.test'] });
    expect(notified.state).toBe('done');
    const [message] = (await sink.waitFor(before + 1, 10_000)).slice(before);
    expect(message!.to).toEqual([file.ownerLogin]);
    expect(message!.cc).toEqual(['security@acme.test']);
    expect(message!.text).toContain(file.name);
    const badKind = await stack.call('POST', `/api/connectors/${connectorId}/files/${file.id}/governance`, {
      kind: 'shred',
    });
    expect(badKind.status).toBe(400);
    const badParam = await stack.call('POST', `/api/connectors/${connectorId}/files/${file.id}/governance`, {
      kind: 'restrict-shared-link',
      params: { access: 'everyone' },
    });
    expect(badParam.status).toBe(400);
    expect(badParam.json.errors[0].field).toBe('params.access');
  });

  it('every action recorded was started (the outbox is empty)', async () => {
    expect(await repo.unstarted(new Date().toISOString(), 10)).toEqual([]);
  });

  // Last: it removes the app at box-sim (every token rejected), then authorizes the connector again.
  it('a rejected token mid-action pauses it; after a new authorization it resumes and acts once', async () => {
    const file = fileWhere((f) => f.sharedLinkAccess === 'open' && !f.planted?.us_ssn, 2)!;
    stack.sim.control.removeApp();
    const res = await stack.call('POST', `/api/connectors/${connectorId}/files/${file.id}/governance`, {
      kind: 'remove-shared-link',
    });
    expect(res.status).toBe(202);
    const id = res.json.id as string;
    const paused = await eventually(
      async () => (await stack.call('GET', `/api/connectors/${connectorId}/governance/actions/${id}`)).json,
      {
        what: 'the action to pause',
        timeoutMs: 60_000,
        intervalMs: 200,
        accept: (a: any) => a?.state === 'paused',
      },
    );
    expect(paused.reason).toMatch(/rejected the connector's token/);
    expect(truth(file.id).sharedLinkAccess).toBe('open');
    await eventually(async () => (await stack.call('GET', `/api/connectors/${connectorId}`)).json?.status, {
      what: 'the connector to need a new authorization',
      timeoutMs: 60_000,
      accept: (s) => s === 'NeedsReauthorization',
    });

    const again = await stack.call('POST', `/api/connectors/${connectorId}/authorize`);
    expect(again.status).toBe(200);
    const redirect = await clickThroughConsent(
      again.json.authorizeUrl as string,
      stack.sim.manifest.admin.login,
    );
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    // The paused action checks the connector's status once a minute.
    const done = await eventually(
      async () => (await stack.call('GET', `/api/connectors/${connectorId}/governance/actions/${id}`)).json,
      {
        what: 'the action to resume and finish',
        timeoutMs: 150_000,
        intervalMs: 500,
        accept: (a: any) => a?.state === 'done',
      },
    );
    expect(truth(file.id).sharedLinkAccess).toBe('none');
    expect(done.audit.map((e: any) => e.event)).toEqual(['recorded', 'acting', 'paused', 'resumed', 'done']);
  }, 300_000);
});
