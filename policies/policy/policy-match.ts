import type { DetectorName } from '../detectors/detector-id';
import type { Likelihood } from '../detectors/likelihood';
import type { AccessLevel } from '../exposure/access-level';
import type { TextSection } from '../extraction/text-budget';
import type { Severity } from './severity';

/**
 * An example of a value a detector found, masked as its policy says (never the value itself unless
 * the policy file allows `masking: none`), with where it is and the text around it.
 */
export interface MaskedSample {
  readonly detector: DetectorName;
  readonly masked: string;
  readonly likelihood: Likelihood;
  /**
   * The character offset of the value in the extracted text. This and `context` are always set by
   * the library; findings stored before they existed lack them.
   */
  readonly offset?: number;
  /** The page, sheet, slide or slide notes holding it, for formats that have them. */
  readonly section?: Pick<TextSection, 'kind' | 'number' | 'name'>;
  /**
   * Up to 32 characters either side of the value on one line, with the value and every other value
   * detected there masked the same way and any other word holding a digit masked whole:
   * `Employee SSN: ***-**-8741, card **************** (HR only`.
   */
  readonly context?: string;
  /** True when `masked` is the raw value (`masking: none`): the findings store masks it before storing. */
  readonly unmasked?: true;
}

/** A policy a file matched: what the user sees as a finding. */
export interface PolicyMatch {
  readonly policyId: string;
  readonly policyName: string;
  readonly severity: Severity;
  readonly accessLevel: AccessLevel;
  /** How many values of each detector the policy counted (after its likelihood and exclusions). */
  readonly detectorCounts: Partial<Record<DetectorName, number>>;
  /** Up to five distinct masked samples per detector. */
  readonly samples: readonly MaskedSample[];
}
