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

// Each likelihood's place on the scale (called for every candidate and detection).
const RANK: Readonly<Record<Likelihood, number>> = { possible: 0, likely: 1, very_likely: 2 };

/** True when `likelihood` reaches `min`. */
export function reaches(likelihood: Likelihood, min: Likelihood): boolean {
  return RANK[likelihood] >= RANK[min];
}

/** One step up or down, clamped to the scale; `undefined` when stepping below `possible`. */
export function stepLikelihood(likelihood: Likelihood, steps: number): Likelihood | undefined {
  if (steps === 0) return likelihood;
  const i = RANK[likelihood] + steps;
  if (i < 0) return undefined;
  return LIKELIHOODS[Math.min(i, LIKELIHOODS.length - 1)];
}
