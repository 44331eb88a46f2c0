import type { FileToInspect } from './file-to-inspect';
import type { InspectionLimits } from './inspection-limits';
import type { PolicyFileInput } from './policy/policy-file-schema';

/** Where a compiled policy set came from, so a worker thread can compile the same one. */
export interface PolicySource {
  /** The policy file's path (loadPolicySet), or the object compiled. */
  readonly file?: string;
  readonly object?: PolicyFileInput;
  readonly internalDomains?: readonly string[];
  /** Where a dictionary file named by a relative path is read from. */
  readonly baseDir?: string;
}

/** One file for a pool thread to inspect: plain data (the content is moved, not copied). */
export interface InspectionTask {
  readonly file: FileToInspect;
  readonly policySource: PolicySource;
  readonly policySetVersion: string;
  readonly limits?: Partial<InspectionLimits>;
}
