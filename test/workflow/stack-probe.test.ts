import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { echoSignal, echoedQuery, finishSignal, stackProbe } from '../../workflows';

describe('stackProbe on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  it('records signals, answers queries and returns what it was sent', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'probe',
      workflowBundle: await workflowBundle(),
    });
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(stackProbe, {
        taskQueue: 'probe',
        workflowId: 'probe-1',
      });
      await handle.signal(echoSignal, { text: 'hello' });
      await handle.signal(echoSignal, { text: 'world' });
      expect(await handle.query(echoedQuery)).toEqual(['hello', 'world']);
      await handle.signal(finishSignal);
      return handle.result();
    });
    expect(result).toEqual(['hello', 'world']);
  });
});
