/**
 * How sure a detector is, from the weakest to the strongest, in the spirit of Google DLP's
 * likelihoods. Context words move a match one step up (hotwords) or down (words such as "order").
 */
export const LIKELIHOODS = ['possible', 'likely', 'very_likely'] as const;

/** How sure a detector is that a match is the real thing. */
export type Likelihood = (typeof LIKELIHOODS)[number];

/** The likelihood a policy needs unless it says otherwise: `possible` matches are not findings. */
export const DEFAULT_MIN_LIKELIHOOD: Likelihood = 'likely';

/** True when `value` is one of {@link LIKELIHOODS}. */
export function isLikelihood(value: unknown): value is Likelihood {
  return (LIKELIHOODS as readonly unknown[]).includes(value);
}

/**
 * Each likelihood's place on the scale (NaN for anything else), called for every candidate and
 * detection: comparisons with the three constants cost less than a keyed look-up in a table.
 */
function rankOf(likelihood: Likelihood): number {
  if (likelihood === 'possible') return 0;
  if (likelihood === 'likely') return 1;
  return likelihood === 'very_likely' ? 2 : NaN;
}

/** True when `likelihood` reaches `min`. */
export function reaches(likelihood: Likelihood, min: Likelihood): boolean {
  return rankOf(likelihood) >= rankOf(min);
}

/** One step up or down, clamped to the scale; `undefined` when stepping below `possible`. */
export function stepLikelihood(likelihood: Likelihood, steps: number): Likelihood | undefined {
  if (steps === 0) return likelihood;
  const i = rankOf(likelihood) + steps;
  if (i < 0) return undefined;
  return LIKELIHOODS[Math.min(i, LIKELIHOODS.length - 1)];
}
