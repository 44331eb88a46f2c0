import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { eventually } from '../helpers/eventually';
import { enterpriseEvents, stackProbe } from '../../workflows';
import { eventStreamProgressQuery } from '../../workflows/enterprise-events-messages';
import type { EventStreamActivities, EventStreamRead } from '../../workflows/enterprise-events-activities';

const TASK_QUEUE = 'enterprise-events-workflow-test';
type ReadInput = Parameters<EventStreamActivities['readEventStream']>[0];

/** A scripted stream: the first read answers position 100 (`now`); read n then moves 10 on, with one edited file. */
class FakeStream {
  inputs: ReadInput[] = [];
  readEventStream = (input: ReadInput): Promise<EventStreamRead> => Promise.resolve(this.read(input));
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
});
