/**
 * A test server is never torn down under a running worker (a setup file of the workflow and integration
 * layers). A test that times out inside `worker.runUntil(...)`, or between `worker.run()` and
 * `shutdown()`, would otherwise leave its worker retrying polls forever against the stopped server, and
 * jest could never exit: a CI run ended at its time limit that way.
 *
 * - Every Worker.create gets a shutdownForceTime (unless it sets one), so a shutdown that waits for a
 *   step that ignores cancellation still ends.
 * - TestWorkflowEnvironment.teardown first shuts down the workers still running on its connection, then
 *   tears the server down, then fails (the afterAll that called it, so the file) naming how many there were.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';

const FORCE_AFTER = '20s';
const STOP_WAIT_MS = 30_000;
const created: Array<{ worker: Worker; connection: NativeConnection | undefined }> = [];

const create = Worker.create.bind(Worker);
Worker.create = async (options: WorkerOptions) => {
  const worker = await create({ shutdownForceTime: FORCE_AFTER, ...options });
  created.push({ worker, connection: options.connection });
  return worker;
};

const live = (w: Worker) => ['RUNNING', 'STOPPING', 'DRAINING', 'DRAINED'].includes(w.getState());

/** Stops the live workers on `connection`; resolves with how many were running and how many stayed. */
async function stopWorkersOn(connection: NativeConnection): Promise<{ running: number; stuck: number }> {
  const running = created.filter((c) => c.connection === connection && live(c.worker)).map((c) => c.worker);
  for (const w of running) if (w.getState() === 'RUNNING') w.shutdown();
  const deadline = Date.now() + STOP_WAIT_MS;
  while (running.some(live) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return { running: running.length, stuck: running.filter(live).length };
}

const teardown = TestWorkflowEnvironment.prototype.teardown;
TestWorkflowEnvironment.prototype.teardown = async function guardedTeardown(this: TestWorkflowEnvironment) {
  const { running, stuck } = await stopWorkersOn(this.nativeConnection);
  await teardown.call(this);
  if (running > 0)
    throw new Error(
      `${running} worker(s) still ran when the test server was torn down (a test did not stop its worker)` +
        (stuck > 0 ? `; ${stuck} did not stop within ${STOP_WAIT_MS / 1000} s` : ''),
    );
};
