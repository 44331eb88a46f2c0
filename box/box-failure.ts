import { ApplicationFailure } from '@temporalio/common';
import { describeBoxError, type BoxErrorDescription } from './box-errors';

/**
 * Turns anything thrown while talking to Box into the ApplicationFailure an activity should throw: type
 * `Box<kind>` (e.g. BoxInvalidRefreshToken, BoxAppRemoved, BoxRateLimited), the user's message and next
 * step, non-retryable when retrying cannot help, and Box's retry-after as the next retry delay. The
 * details carry the description only: never a token, never the SDK's request record.
 */
export function boxFailure(err: unknown): ApplicationFailure {
  const description = describeBoxError(err);
  return ApplicationFailure.create({
    type: boxFailureType(description.kind),
    message: `${description.message} ${description.nextStep}`,
    nonRetryable: !description.retryable,
    details: [description],
    ...(description.retryAfterMs !== undefined && { nextRetryDelay: description.retryAfterMs }),
  });
}

/** The ApplicationFailure type boxFailure gives a kind (to list in `nonRetryableErrorTypes` or match on). */
export function boxFailureType(kind: BoxErrorDescription['kind']): string {
  return `Box${kind}`;
}
