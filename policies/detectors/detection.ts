import type { DetectorName } from './detector-id';
import type { DetectorSettings } from './detector-settings';
import type { Likelihood } from './likelihood';

/**
 * One value a detector found. The raw value stays inside the library: evaluation uses it for
 * exclusion patterns, and only its masked form leaves in a policy match.
 */
export interface Detection {
  readonly detector: DetectorName;
  readonly value: string;
  readonly start: number;
  readonly end: number;
  readonly likelihood: Likelihood;
}

/** A detector: finds the values of one or more detector ids in text. */
export interface Detector {
  readonly ids: readonly DetectorName[];
  find(text: string, settings: DetectorSettings): Detection[] | Promise<Detection[]>;
}
