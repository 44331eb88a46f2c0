/**
 * The task each inspection-pool thread runs (piscina loads this file in a worker thread): compile the
 * policy set once per source, then inspect. Everything in and out is structured-clone data.
 */
import { setPriority } from 'node:os';
import { workerData } from 'piscina';
import { inspectFile } from './inspect-file';
import type { InspectionResult } from './inspection-result';
import type { InspectionTask } from './inspection-task';
import type { CompiledPolicySet } from './policy/compile-policy-set';
import { loadPolicySet } from './policy/load-policy-set';

// On Linux a nice value is a thread's own: this lowers this thread's priority only (the pool's `nice`).
const nice = (workerData as { nice?: number } | undefined)?.nice ?? 0;
if (nice > 0 && process.platform === 'linux') setPriority(nice);

const compiled = new Map<string, Promise<CompiledPolicySet>>();

function policySetFor(task: InspectionTask): Promise<CompiledPolicySet> {
  const key = JSON.stringify(task.policySource);
  let set = compiled.get(key);
  if (!set) {
    const { file, object, internalDomains, baseDir } = task.policySource;
    set = loadPolicySet(file ?? object ?? { version: 1 }, {
      ...(internalDomains ? { internalDomains } : {}),
      ...(baseDir ? { baseDir } : {}),
    });
    set.catch(() => compiled.delete(key));
    compiled.set(key, set);
  }
  return set;
}

/** Inspects one file in this thread; the result is the one `inspectFile` gives in the calling thread. */
export default async function inspectInWorker(task: InspectionTask): Promise<InspectionResult> {
  const policySet = await policySetFor(task);
  if (policySet.version !== task.policySetVersion) {
    // The policy file changed on disk since the caller compiled it: judging with another set would
    // store results under the wrong version.
    throw new Error(
      `the worker compiled policy-set version ${policySet.version.slice(0, 12)}, the caller has ${task.policySetVersion.slice(0, 12)}`,
    );
  }
  return inspectFile(task.file, policySet, task.limits);
}
