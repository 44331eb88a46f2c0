import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eventually } from '../helpers/eventually';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { importEventLog, stackProbe } from '../../workflows';
import { resumeSignal } from '../../workflows/child-workflows';
import { backfillProgressQuery } from '../../workflows/import-event-log-messages';

const TASK_QUEUE = 'reauthorization-test';

/** An event log of 3 calls of 5 events whose second call fails once with the given Box failure type. */
function failingOnce(type: string) {
  let done = 0;
  let failed = false;
  return {
    importEventPages: () => {
      if (done === 1 && !failed) {
        failed = true;
        return Promise.reject(ApplicationFailure.nonRetryable(`Box says ${type}.`, type));
      }
      done++;
      return Promise.resolve({ imported: 5, pages: 1, nextStreamPosition: `p${done}`, done: done >= 3 });
    },
  };
}

/** The patch ids recorded in a workflow's history. */
const markers = async (handle: WorkflowHandle) =>
  ((await handle.fetchHistory()).events ?? []).flatMap((e) => {
    const details = e.markerRecordedEventAttributes?.details ?? {};
    return Object.values(details).flatMap((p) =>
      (p.payloads ?? []).map((payload) => Buffer.from(payload.data ?? []).toString()),
    );
  });

describe('pausing for a new authorization (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  const run = async <T>(fake: ReturnType<typeof failingOnce>, fn: () => Promise<T>) => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: fake,
    });
    return worker.runUntil(fn);
  };
  const start = (id: string, parentWorkflowId: string) =>
    env.client.workflow.start(importEventLog, {
      taskQueue: TASK_QUEUE,
      workflowId: `connector/${id}/backfill`,
      args: [
        {
          connectorId: id,
          dataCenter: 'US1',
          createdAfter: '2026-05-01T00:00:00.000Z',
          createdBefore: '2026-05-08T00:00:00.000Z',
          parentWorkflowId,
        },
      ],
    });

  it('a 401 after a refresh (BoxUnauthorized) pauses and resumes, under the pause-on-unauthorized patch', async () => {
    await run(failingOnce('BoxUnauthorized'), async () => {
      const parent = await env.client.workflow.start(stackProbe, {
        taskQueue: TASK_QUEUE,
        workflowId: 'p-401',
      });
      const handle = await start('u401', parent.workflowId);
      await eventually(async () => (await handle.query(backfillProgressQuery)).paused === true, {
        what: 'the backfill to pause',
      });
      await handle.signal(resumeSignal);
      expect(await handle.result()).toEqual({ imported: 15 });
      expect((await markers(handle)).join()).toContain('pause-on-unauthorized');
      await parent.terminate().catch(() => undefined);
    });
  });

  it('a failure a new authorization does not cure (BoxForbidden) is not paused on: the import fails', async () => {
    await run(failingOnce('BoxForbidden'), async () => {
      const handle = await start('u403', 'connector/u403');
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(await markers(handle)).toEqual([]);
    });
  });
});
