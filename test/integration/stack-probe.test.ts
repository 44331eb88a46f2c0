import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLocalEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { echoSignal, echoedQuery, finishSignal, stackProbe } from '../../workflows';
import { CONNECTOR_ID } from '../../common/search-attributes';

describe('stackProbe on the Temporal dev server through a real worker', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createLocalEnv();
  });
  afterAll(() => env?.teardown());

  it('round-trips a signal and a query and lands in visibility with a custom search attribute', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'probe-dev',
      workflowBundle: await workflowBundle(),
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(stackProbe, {
        taskQueue: 'probe-dev',
        workflowId: 'probe-dev-1',
        typedSearchAttributes: [{ key: CONNECTOR_ID, value: 'probe' }],
      });
      await handle.signal(echoSignal, { text: 'ping' });
      expect(await handle.query(echoedQuery)).toEqual(['ping']);
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['ping']);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(CONNECTOR_ID)).toBe('probe');
    });
  });
});
