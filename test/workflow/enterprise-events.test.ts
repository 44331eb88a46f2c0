import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { eventually } from '../helpers/eventually';
import { enterpriseEvents, stackProbe } from '../../workflows';
import { resumeSignal } from '../../workflows/child-workflows';
import { eventStreamProgressQuery } from '../../workflows/enterprise-events-messages';
import type { EventStreamActivities, EventStreamRead } from '../../workflows/enterprise-events-activities';

const TASK_QUEUE = 'enterprise-events-workflow-test';
type ReadInput = Parameters<EventStreamActivities['readEventStream']>[0];

/**
 * A scripted stream: the first read answers position 100 (`now`); read n then moves 10 on, with one edited
 * file. With `rejectRead`, that read (1-based, once) fails as box/box-failure.ts fails a 401 after a refresh.
 */
class FakeStream {
  inputs: ReadInput[] = [];
  constructor(private readonly rejectRead?: number) {}
  readEventStream = (input: ReadInput): Promise<EventStreamRead> => {
    if (this.inputs.length + 1 === this.rejectRead && !this.rejected) {
      this.rejected = input;
      return Promise.reject(
        ApplicationFailure.nonRetryable(
          'Box rejected the access token (401) even after a refresh.',
          'BoxUnauthorized',
        ),
      );
    }
    return Promise.resolve(this.read(input));
  };
  /** The input of the read that was rejected. */
  rejected: ReadInput | undefined;
  private read(input: ReadInput): EventStreamRead {
    this.inputs.push(input);
    const n = this.inputs.length;
    const base = {
      read: 0,
      recorded: 0,
      webhookDuplicates: 0,
      files: [],
      recentEventIds: [],
      caughtUp: true,
    };
    if (input.streamPosition === undefined) return { ...base, nextStreamPosition: '100' };
    return {
      ...base,
      nextStreamPosition: String(Number(input.streamPosition) + 10),
      read: 1,
      recorded: 1,
      files: [
        {
          fileId: `f${n}`,
          kind: 'content',
          eventType: 'EDIT',
          occurredAt: '2026-12-02T10:00:00.000Z',
          source: 'event-stream',
        },
      ],
      recentEventIds: [`e${n}`],
      caughtUp: n % 2 === 0,
    };
  }
}

describe('enterpriseEvents workflow (time-skipping, activities mocked)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  it('keeps its stream position and recent event ids across continue-as-new and signals the scan', async () => {
    const fake = new FakeStream();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: { readEventStream: fake.readEventStream },
    });
    await worker.runUntil(async () => {
      const scan = await env.client.workflow.start(stackProbe, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/e1/scan',
      });
      const handle = await env.client.workflow.start(enterpriseEvents, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/e1/events',
        args: [
          {
            connectorId: 'e1',
            dataCenter: 'US1',
            parentWorkflowId: 'connector/e1',
            pollIntervalMs: 5000,
            readsPerRun: 2,
          },
        ],
      });
      await eventually(() => Promise.resolve(fake.inputs.length), {
        what: 'seven reads',
        timeoutMs: 30_000,
        accept: (n) => n >= 7,
      });
      const progress = await handle.query(eventStreamProgressQuery);
      await handle.terminate();
      const first = await env.client.workflow
        .getHandle(handle.workflowId, handle.firstExecutionRunId)
        .fetchHistory();
      expect(first.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
      const reads = fake.inputs.slice(0, 7);
      // Every read starts where the previous one ended, whichever run made it.
      expect(reads.map((i) => i.streamPosition)).toEqual([
        undefined,
        '100',
        '110',
        '120',
        '130',
        '140',
        '150',
      ]);
      expect(reads.map((i) => i.recentEventIds)).toEqual([[], [], ['e2'], ['e3'], ['e4'], ['e5'], ['e6']]);
      expect(progress.reads).toBeGreaterThanOrEqual(6);
      expect(progress.recorded).toBe(progress.reads - 1);
      const signalled = ((await scan.fetchHistory()).events ?? []).filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'prioritize',
      );
      expect(signalled.length).toBeGreaterThanOrEqual(5);
      await scan.terminate();
    });
  });

  /** Signals a workflow received, by name. */
  const signalsOf = async (handle: WorkflowHandle, name: string) =>
    ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === name,
    );

  it('a token rejected after a refresh (401) pauses the stream; resume reads on from the same position', async () => {
    const fake = new FakeStream(4);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: { readEventStream: fake.readEventStream },
    });
    await worker.runUntil(async () => {
      const parent = await env.client.workflow.start(stackProbe, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/e2',
      });
      const scan = await env.client.workflow.start(stackProbe, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/e2/scan',
      });
      const handle = await env.client.workflow.start(enterpriseEvents, {
        taskQueue: TASK_QUEUE,
        workflowId: 'connector/e2/events',
        args: [
          { connectorId: 'e2', dataCenter: 'US1', parentWorkflowId: 'connector/e2', pollIntervalMs: 1000 },
        ],
      });
      await eventually(() => handle.query(eventStreamProgressQuery), {
        what: 'the stream to pause',
        timeoutMs: 30_000,
        accept: (p) => p.paused === true,
      });
      const atPause = await handle.query(eventStreamProgressQuery);
      // Reads 1-3 went through; the 4th was rejected where the 3rd ended, with the 3rd's event ids.
      expect(fake.inputs).toHaveLength(3);
      expect(fake.rejected).toEqual({ ...fake.inputs[2]!, streamPosition: '120', recentEventIds: ['e3'] });
      expect(atPause.streamPosition).toBe('120');
      // Paused: no read for three poll intervals, and the connector was told once.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(fake.inputs).toHaveLength(3);
      expect(await signalsOf(parent, 'tokenRejected')).toHaveLength(1);

      await handle.signal(resumeSignal);
      await eventually(() => Promise.resolve(fake.inputs.length), {
        what: 'reads after the resume',
        timeoutMs: 30_000,
        accept: (n) => n >= 5,
      });
      // The read after the resume is the rejected one again: nothing skipped, nothing read twice.
      expect(fake.inputs[3]).toEqual(fake.rejected);
      expect(fake.inputs[4]!.streamPosition).toBe('130');
      const after = await handle.query(eventStreamProgressQuery);
      expect(after.paused).toBe(false);
      expect(after.recorded).toBe(after.reads - 1);
      const patches = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
        Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((p) =>
          (p.payloads ?? []).map((payload) => Buffer.from(payload.data ?? []).toString()),
        ),
      );
      expect(patches.join()).toContain('pause-on-unauthorized');
      expect(await signalsOf(scan, 'prioritize')).not.toHaveLength(0);
      await handle.terminate();
      await scan.terminate();
      await parent.terminate();
    });
  });
});
