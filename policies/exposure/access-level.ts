/**
 * Access levels from the narrowest to the widest, as the commercial connector's file filters name them:
 * private (only the owner), internal (people of the enterprise), external (someone outside its
 * domains), public (anyone with the link).
 */
export const ACCESS_LEVELS = ['private', 'internal', 'external', 'public'] as const;

/** Who can reach a file. */
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** True when `value` is one of {@link ACCESS_LEVELS}. */
export function isAccessLevel(value: unknown): value is AccessLevel {
  return (ACCESS_LEVELS as readonly unknown[]).includes(value);
}

/** The wider of two access levels. */
export function widerAccessLevel(a: AccessLevel, b: AccessLevel): AccessLevel {
  return ACCESS_LEVELS.indexOf(a) >= ACCESS_LEVELS.indexOf(b) ? a : b;
}
