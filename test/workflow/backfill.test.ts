import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { eventually } from '../helpers/eventually';
import { importEventLog, stackProbe, type ImportEventLogInput } from '../../workflows';
import { backfillProgressQuery } from '../../workflows/import-event-log-messages';
import type { EventLogActivities } from '../../workflows/import-event-log-activities';
import { resumeSignal } from '../../workflows/scan-files-messages';

const TASK_QUEUE = 'backfill-workflow-test';
type ImportInput = Parameters<EventLogActivities['importEventPages']>[0];

/** A scripted event log: call n returns 10 events, 2 pages and position `p<n+1>`; `calls` ends it. */
class FakeImport {
  inputs: ImportInput[] = [];
  gate: Promise<void> | undefined;
  /** Call numbers (1-based) that fail once as Box rejecting the refresh token. */
  rejectOnce = new Set<number>();
  private rejected = 0;
  constructor(private readonly calls: number) {}

  importEventPages = async (input: ImportInput) => {
    this.inputs.push(input);
    const n = this.inputs.length - this.rejected;
    if (this.rejectOnce.delete(n)) {
      this.rejected++;
      throw ApplicationFailure.nonRetryable(
        'Box no longer accepts this connection.',
        'BoxInvalidRefreshToken',
      );
    }
    if (n === 2 && this.gate) await this.gate;
    return { imported: 10, pages: 2, nextStreamPosition: `p${n}`, done: n >= this.calls };
  };
}

/** Signal names and payloads the workflow received, from its history. */
async function signalsOf(handle: WorkflowHandle): Promise<Array<{ name: string; input: unknown }>> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const a = e.workflowExecutionSignaledEventAttributes;
    if (!a) return [];
    const payload = a.input?.payloads?.[0]?.data;
    return [
      { name: a.signalName ?? '', input: payload ? JSON.parse(Buffer.from(payload).toString()) : undefined },
    ];
  });
}

/** Ends a stand-in parent (time skipping may already have timed it out). */
async function endProbe(parent: WorkflowHandle): Promise<void> {
  await parent.terminate().catch(() => undefined);
}

describe('importEventLog workflow (time-skipping, activities mocked)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  async function withWorker<T>(fake: FakeImport, fn: () => Promise<T>): Promise<T> {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: { importEventPages: fake.importEventPages },
    });
    return worker.runUntil(fn);
  }

  function input(
    id: string,
    parentWorkflowId: string,
    extra: Partial<ImportEventLogInput> = {},
  ): ImportEventLogInput {
    return {
      connectorId: id,
      dataCenter: 'US1',
      createdAfter: '2026-05-01T00:00:00.000Z',
      createdBefore: '2026-05-08T00:00:00.000Z',
      parentWorkflowId,
      ...extra,
    };
  }

  it('continues as new carrying the position and the counts, and signals the parent once done', async () => {
    const fake = new FakeImport(5);
    const result = await withWorker(fake, async () => {
      const parent = await env.client.workflow.start(stackProbe, {
        taskQueue: TASK_QUEUE,
        workflowId: 'parent-1',
      });
      const handle = await env.client.workflow.start(importEventLog, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/w1/backfill',
        args: [input('w1', parent.workflowId, { callsPerRun: 2 })],
      });
      const outcome = await handle.result();
      // Runs: calls 1-2, 3-4, 5: the first run ended by continuing as new.
      const first = await env.client.workflow
        .getHandle(handle.workflowId, handle.firstExecutionRunId)
        .fetchHistory();
      const last = first.events?.[first.events.length - 1];
      expect(last?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
      expect(await handle.query(backfillProgressQuery)).toMatchObject({
        imported: 50,
        pages: 10,
        streamPosition: 'p5',
        done: true,
      });
      expect(await signalsOf(parent)).toEqual([{ name: 'backfillFinished', input: { imported: 50 } }]);
      await endProbe(parent);
      return outcome;
    });
    expect(result).toEqual({ imported: 50 });
    expect(fake.inputs.map((i) => i.streamPosition)).toEqual([undefined, 'p1', 'p2', 'p3', 'p4']);
    expect(fake.inputs[0]).toMatchObject({
      connectorId: 'w1',
      createdAfter: '2026-05-01T00:00:00.000Z',
      createdBefore: '2026-05-08T00:00:00.000Z',
    });
  });

  it('reports its progress while it runs', async () => {
    const fake = new FakeImport(3);
    let release!: () => void;
    fake.gate = new Promise((r) => (release = r));
    await withWorker(fake, async () => {
      const parent = await env.client.workflow.start(stackProbe, {
        taskQueue: TASK_QUEUE,
        workflowId: 'parent-2',
      });
      const handle = await env.client.workflow.start(importEventLog, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/w2/backfill',
        args: [input('w2', parent.workflowId)],
      });
      // The second call is held at the gate, so the workflow stands between pages 1 and 2.
      await eventually(() => fake.inputs.length, {
        what: 'the second page call',
        timeoutMs: 10_000,
        accept: (n) => n >= 2,
      });
      expect(await handle.query(backfillProgressQuery)).toEqual({
        createdAfter: '2026-05-01T00:00:00.000Z',
        createdBefore: '2026-05-08T00:00:00.000Z',
        imported: 10,
        pages: 2,
        streamPosition: 'p1',
        done: false,
        paused: false,
      });
      release();
      expect(await handle.result()).toEqual({ imported: 30 });
      await endProbe(parent);
    });
  });

  it('finishes even when the parent is gone', async () => {
    const fake = new FakeImport(1);
    const result = await withWorker(fake, async () => {
      const handle = await env.client.workflow.start(importEventLog, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/w3/backfill',
        args: [input('w3', 'connector/no-such-parent')],
      });
      return handle.result();
    });
    expect(result).toEqual({ imported: 10 });
  });

  it('pauses on a rejected token, tells the parent, and resumes from the same position when told', async () => {
    const fake = new FakeImport(3);
    fake.rejectOnce.add(2);
    await withWorker(fake, async () => {
      const parent = await env.client.workflow.start(stackProbe, {
        taskQueue: TASK_QUEUE,
        workflowId: 'parent-4',
      });
      const handle = await env.client.workflow.start(importEventLog, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/w4/backfill',
        args: [input('w4', parent.workflowId)],
      });
      const paused = await eventually(() => handle.query(backfillProgressQuery), {
        what: 'the import to pause',
        timeoutMs: 10_000,
        accept: (p) => p.paused === true,
      });
      expect(paused).toMatchObject({ paused: true, imported: 10 });
      expect(await signalsOf(parent)).toEqual([
        { name: 'tokenRejected', input: { message: 'Box no longer accepts this connection.' } },
      ]);
      await handle.signal(resumeSignal);
      expect(await handle.result()).toEqual({ imported: 30 });
      await endProbe(parent);
    });
    // The failed call is made again from the same position.
    expect(fake.inputs.map((i) => i.streamPosition)).toEqual([undefined, 'p1', 'p1', 'p2']);
  });
});
