import type { DetectorId } from '../detectors/detector-id';
import type { Likelihood } from '../detectors/likelihood';
import type { AccessLevel } from '../exposure/access-level';
import type { Severity } from './severity';

/** A masked example of a value a detector found: never the value itself. */
export interface MaskedSample {
  readonly detector: DetectorId;
  readonly masked: string;
  readonly likelihood: Likelihood;
}

/** A policy a file matched: what the user sees as a finding. */
export interface PolicyMatch {
  readonly policyId: string;
  readonly policyName: string;
  readonly severity: Severity;
  readonly accessLevel: AccessLevel;
  /** How many values of each detector the policy counted (after its likelihood and exclusions). */
  readonly detectorCounts: Partial<Record<DetectorId, number>>;
  /** Up to five distinct masked samples per detector. */
  readonly samples: readonly MaskedSample[];
}
