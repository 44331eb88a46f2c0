import type { DetectorName } from './detectors/detector-id';
import type { Exposure } from './exposure/evaluate-exposure';
import type { ArchiveMember } from './extraction/archive-text';
import type { InspectionStatus } from './inspection-status';
import type { PolicyMatch } from './policy/policy-match';

/** What inspecting one file yields; plain JSON, safe to store and to pass between activities. */
export interface InspectionResult {
  readonly status: InspectionStatus;
  /** Why the file got its status, for a user to read. */
  readonly reason: string;
  /** Characters of text inspected (0 when the content was not inspected). */
  readonly textLength: number;
  readonly exposure: Exposure;
  readonly matches: PolicyMatch[];
  /**
   * Values found per detector at the default likelihood (`likely`), before any policy's exclusions;
   * only the detectors that the policies applying to this file use are run.
   */
  readonly detectorCounts: Partial<Record<DetectorName, number>>;
  /** The version of the policy set that judged the file. */
  readonly policySetVersion: string;
  /** For a .zip or .gz: each member's path, status and reason (nested archives' members too). */
  readonly members?: readonly ArchiveMember[];
}
