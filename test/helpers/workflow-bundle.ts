import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows } from '../../workers/workflow-bundle';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflows/ bundle as a worker makes it (workers/workflow-bundle.ts), built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows(quietLogger);
  return bundle;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };
