import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import * as realBox from '../../activities/governance-box';
import type { FileGovernanceState } from '../../activities/governance-box';
import { createGovernanceActivities } from '../../activities/governance-activities';
import type { BoxClientPool } from '../../box/box-client-pool';
import type { GovernanceActionKind } from '../../domain/governance';
import { ConnectorsRepository } from '../../store/connectors-repository';
import { GovernanceRepository } from '../../store/governance-repository';
import { governanceAction, stackProbe } from '../../workflows';
import {
  approveUpdate,
  governanceStateQuery,
  rejectUpdate,
  resumeSignal,
} from '../../workflows/governance-action-messages';
import { eventually } from '../helpers/eventually';
import { createTestStore } from '../helpers/stores';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';

const TASK_QUEUE = 'governance-action-test';
const CONNECTOR = 'gov-c1';
const DAY = 86_400_000;

/**
 * Box for these tests: files in memory, every mutation counted, behind the same functions as
 * activities/governance-box.ts (the activities are the real ones over a real store). `failAfter` makes the
 * next mutation change Box and then throw, like a worker dying after Box answered.
 */
function fakeBox() {
  const files = new Map<string, FileGovernanceState>();
  const mutations: string[] = [];
  const faults: { afterChange?: string; before?: string } = {};
  const change = (what: string, apply: () => boolean): Promise<boolean> => {
    if (faults.before) {
      const type = faults.before;
      faults.before = undefined;
      return Promise.reject(ApplicationFailure.nonRetryable(`Box says ${type}`, type));
    }
    const changed = apply();
    if (changed) mutations.push(what);
    if (changed && faults.afterChange) {
      const message = faults.afterChange;
      faults.afterChange = undefined;
      return Promise.reject(new Error(message));
    }
    return Promise.resolve(changed);
  };
  const api: typeof realBox = {
    ...realBox,
    readFileState: (_c, fileId) => {
      const f = files.get(fileId);
      return Promise.resolve(f && !f.trashed ? structuredClone(f) : null);
    },
    removeSharedLink: (_c, fileId) =>
      change(`remove-link ${fileId}`, () => {
        const f = files.get(fileId)!;
        if (!f.sharedLink) return false;
        f.sharedLink = null;
        return true;
      }),
    removeCollaboration: (_c, id) =>
      change(`remove-collab ${id}`, () => {
        for (const f of files.values()) {
          const before = f.collaborations.length;
          f.collaborations = f.collaborations.filter((c) => c.id !== id);
          if (f.collaborations.length < before) return true;
        }
        return false;
      }),
    deleteFile: (_c, fileId) =>
      change(`trash ${fileId}`, () => {
        const f = files.get(fileId);
        if (!f || f.trashed) return false;
        f.trashed = true;
        return true;
      }),
  };
  return { files, mutations, faults, api };
}

function file(id: string, extra: Partial<FileGovernanceState> = {}): FileGovernanceState {
  return {
    fileId: id,
    name: `${id}.txt`,
    sha1: `sha-${id}`,
    ownerId: '100',
    ownerLogin: 'ann@acme.test',
    parentId: '500',
    trashed: false,
    sharedLink: { access: 'open', url: `https://box.test/s/${id}`, unsharedAt: null },
    collaborations: [
      { id: `c-${id}-1`, login: 'bob@acme.test', userId: '101', role: 'editor', external: false },
      { id: `c-${id}-2`, login: 'eve@partner.test', userId: null, role: 'viewer', external: true },
    ],
    ...extra,
  };
}

describe('governanceAction (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let store: Awaited<ReturnType<typeof createTestStore>>;
  let repo: GovernanceRepository;
  let box: ReturnType<typeof fakeBox>;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    store = await createTestStore('sqlite');
    repo = new GovernanceRepository(store.db);
    await new ConnectorsRepository(store.db).create({
      id: CONNECTOR,
      instanceName: CONNECTOR,
      dataCenter: 'US1',
      status: 'Connected',
      statusMessage: '',
    });
    box = fakeBox();
    const adminClient = { withAsUserHeader: () => adminClient };
    const clients = { get: () => adminClient } as unknown as BoxClientPool;
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: createGovernanceActivities({
        config: { policies: { internalDomains: ['acme.test'] } },
        store,
        clients,
        boxApi: box.api,
      }),
    });
    running = worker.run();
    // The connector's workflow: receives the rescan request and the tokenRejected signal.
    await env.client.workflow.start(stackProbe, {
      taskQueue: TASK_QUEUE,
      workflowId: `connector/${CONNECTOR}`,
    });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await store?.dispose();
    await env?.teardown();
  });

  /** Records an action on a fresh file and starts its workflow. */
  const startAction = async (
    kind: GovernanceActionKind,
    options: {
      approval?: boolean;
      dryRun?: boolean;
      params?: object;
      fileExtra?: Partial<FileGovernanceState>;
    } = {},
  ) => {
    const fileId = String(Math.floor(Math.random() * 1e9));
    box.files.set(fileId, file(fileId, options.fileExtra));
    const f = box.files.get(fileId)!;
    const id = randomUUID();
    // The server's clock: waiting on a result lets it skip ahead to any timer of the file's workflows.
    const expiresAt = options.approval ? new Date((await env.currentTimeMs()) + 7 * DAY).toISOString() : null;
    await repo.record(
      [
        {
          id,
          connectorId: CONNECTOR,
          fileId,
          ownerId: f.ownerId,
          kind,
          params: options.params ?? {},
          policyId: 'ssn-public',
          findingId: randomUUID(),
          mode: options.approval ? 'approval' : 'automatic',
          dryRun: options.dryRun ?? false,
          requestedBy: 'policy:ssn-public',
          expiresAt,
          expected: {
            sha1: f.sha1,
            sharedLinkAccess: f.sharedLink?.access ?? null,
            collaborators: f.collaborations.map((c) => c.login!).sort(),
          },
        },
      ],
      new Date().toISOString(),
    );
    const handle = await env.client.workflow.start(governanceAction, {
      taskQueue: TASK_QUEUE,
      workflowId: `governance/${CONNECTOR}/${id}`,
      args: [
        {
          connectorId: CONNECTOR,
          actionId: id,
          dataCenter: 'US1',
          kind,
          fileId,
          approvalRequired: options.approval ?? false,
          ...(expiresAt && { expiresAt }),
          connectorWorkflowId: `connector/${CONNECTOR}`,
          requestedBy: 'policy:ssn-public',
          reauthorizationPollMs: 3_600_000,
        },
      ],
    });
    return { id, fileId, handle };
  };
  const row = async (id: string) => (await repo.get(CONNECTOR, id))!;
  const events = async (id: string) => (await repo.auditOf(id)).map((a) => a.event);
  const mutationsOf = (fileId: string) =>
    box.mutations.filter((m) => m.endsWith(` ${fileId}`) || m.includes(`c-${fileId}-`));
  const awaitingApproval = (handle: {
    query: (q: typeof governanceStateQuery) => Promise<{ state: string }>;
  }) =>
    eventually(async () => (await handle.query(governanceStateQuery)).state === 'awaiting-approval', {
      what: 'the action to await approval',
    });

  it('an automatic action acts once, records the state before and after and the audit, and asks for a rescan', async () => {
    const { id, fileId, handle } = await startAction('remove-shared-link');
    expect((await handle.result()).state).toBe('done');
    const action = await row(id);
    expect(action).toMatchObject({ state: 'done', outcome: 'remove the open shared link', reason: null });
    expect(JSON.parse(action.before_json!).sharedLink.access).toBe('open');
    expect(JSON.parse(action.after_json!).sharedLink).toBeNull();
    expect(mutationsOf(fileId)).toEqual([`remove-link ${fileId}`]);
    expect(await events(id)).toEqual(['recorded', 'acting', 'done']);
    const history = await env.client.workflow.getHandle(`connector/${CONNECTOR}`).fetchHistory();
    const rescans = (history.events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'fileActivity',
    );
    const payload = rescans.map((e) =>
      Buffer.from(e.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!.data!).toString(),
    );
    expect(payload.some((p) => p.includes(fileId) && p.includes('"source":"governance"'))).toBe(true);
  });

  it('an action needing approval waits for the approve Update, which records the approver and time', async () => {
    const { id, fileId, handle } = await startAction('make-private', { approval: true });
    await awaitingApproval(handle);
    expect(mutationsOf(fileId)).toEqual([]);
    const answer = await handle.executeUpdate(approveUpdate, { args: [{ approver: 'dana@acme.test' }] });
    expect(answer).toMatchObject({ state: 'approved', approver: 'dana@acme.test' });
    expect((await handle.result()).state).toBe('done');
    const action = await row(id);
    expect(action).toMatchObject({ state: 'done', approver: 'dana@acme.test' });
    expect(action.decided_at).toBe(answer.decidedAt);
    expect(mutationsOf(fileId).sort()).toEqual(
      [`remove-link ${fileId}`, `remove-collab c-${fileId}-1`, `remove-collab c-${fileId}-2`].sort(),
    );
    expect(await events(id)).toEqual(['recorded', 'awaiting-approval', 'approved', 'acting', 'done']);
    const audit = await repo.auditOf(id);
    expect(audit.find((a) => a.event === 'approved')?.actor).toBe('dana@acme.test');
  });

  it('an approval without an approver is refused by the validator, and a second decision too', async () => {
    const { handle } = await startAction('remove-shared-link', { approval: true });
    await awaitingApproval(handle);
    await expect(handle.executeUpdate(approveUpdate, { args: [{ approver: '  ' }] })).rejects.toThrow(
      WorkflowUpdateFailedError,
    );
    await handle.executeUpdate(rejectUpdate, {
      args: [{ approver: 'dana@acme.test', reason: 'a press kit' }],
    });
    // Decided: refused by the validator while the run lasts, by the server once it has ended.
    await expect(
      handle.executeUpdate(approveUpdate, { args: [{ approver: 'eve@acme.test' }] }),
    ).rejects.toThrow();
    expect((await handle.result()).state).toBe('rejected');
  });

  it('a rejected action ends rejected with its reason and leaves Box untouched', async () => {
    const { id, fileId, handle } = await startAction('trash', { approval: true });
    await awaitingApproval(handle);
    const answer = await handle.executeUpdate(rejectUpdate, {
      args: [{ approver: 'dana@acme.test', reason: 'the file is meant to be public' }],
    });
    expect(answer.state).toBe('rejected');
    expect((await handle.result()).state).toBe('rejected');
    expect(await row(id)).toMatchObject({
      state: 'rejected',
      approver: 'dana@acme.test',
      reason: 'the file is meant to be public',
    });
    expect(mutationsOf(fileId)).toEqual([]);
    expect(await events(id)).toEqual(['recorded', 'awaiting-approval', 'rejected']);
  });

  it('a dry run records what it would do without calling Box', async () => {
    const { id, fileId, handle } = await startAction('remove-external-collaborators', { dryRun: true });
    expect((await handle.result()).state).toBe('done');
    const action = await row(id);
    expect(action.outcome).toBe('dry run: would remove the collaborator eve@partner.test (viewer)');
    expect(mutationsOf(fileId)).toEqual([]);
    expect(await events(id)).toEqual(['recorded', 'acting', 'dry-run']);
  });

  it('a file changed since the finding is skipped with the reason', async () => {
    const { id, fileId, handle } = await startAction('remove-shared-link', { approval: true });
    await awaitingApproval(handle);
    box.files.get(fileId)!.sha1 = 'edited';
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'dana@acme.test' }] });
    expect((await handle.result()).state).toBe('skipped');
    const action = await row(id);
    expect(action.reason).toMatch(/content changed since the finding/);
    expect(mutationsOf(fileId)).toEqual([]);
    expect(await events(id)).toEqual(['recorded', 'awaiting-approval', 'approved', 'acting', 'skipped']);
  });

  it('a retry after Box changed the file (a worker that died mid-action) finishes without acting twice', async () => {
    box.faults.afterChange = 'the worker died';
    const { id, fileId, handle } = await startAction('make-private');
    expect((await handle.result()).state).toBe('done');
    const done = mutationsOf(fileId);
    expect(done.sort()).toEqual(
      [`remove-link ${fileId}`, `remove-collab c-${fileId}-1`, `remove-collab c-${fileId}-2`].sort(),
    );
    const action = await row(id);
    expect(action.outcome).toContain('remove the open shared link');
    expect(JSON.parse(action.after_json!)).toMatchObject({ sharedLink: null, collaborations: [] });
  });

  it('a rejected token pauses the action until the connector is authorized again', async () => {
    box.faults.before = 'BoxInvalidRefreshToken';
    const { id, fileId, handle } = await startAction('remove-shared-link');
    await eventually(async () => (await row(id)).state === 'paused', { what: 'the action to pause' });
    expect((await row(id)).reason).toMatch(/rejected the connector's token/);
    expect(mutationsOf(fileId)).toEqual([]);
    await handle.signal(resumeSignal);
    expect((await handle.result()).state).toBe('done');
    expect(mutationsOf(fileId)).toEqual([`remove-link ${fileId}`]);
    expect(await events(id)).toEqual(['recorded', 'acting', 'paused', 'resumed', 'done']);
  });
  // Last: it moves the test server's clock a week ahead of the wall clock the other tests' expiries use.
  it('an action nobody decides on expires after its expiry (7 days), Box untouched', async () => {
    const { id, fileId, handle } = await startAction('remove-shared-link', { approval: true });
    await awaitingApproval(handle);
    await env.sleep(7 * DAY + 60_000);
    expect((await handle.result()).state).toBe('expired');
    expect((await row(id)).state).toBe('expired');
    expect(mutationsOf(fileId)).toEqual([]);
    expect(await events(id)).toEqual(['recorded', 'awaiting-approval', 'expired']);
  });
});
