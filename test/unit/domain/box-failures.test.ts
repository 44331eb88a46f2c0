import { BOX_ERROR_KINDS, REAUTHORIZATION_KINDS, nextStepOf } from '../../../box/box-errors';
import { boxFailure, boxFailureType } from '../../../box/box-failure';
import { RefreshTokenRejectedError } from '../../../box/box-errors';
import {
  CONNECT_FAILURES,
  REAUTHORIZATION_FAILURES,
  REAUTHORIZATION_FAILURES_BEFORE_UNAUTHORIZED,
} from '../../../domain/box-failures';
import { WATCHED_TRIGGERS } from '../../../activities/webhook-activities';
import { EVENT_TYPES_BY_KIND } from '../../../domain/file-event';

describe('Box failure types the workflows react to', () => {
  it('the pause list is exactly the failure types of the kinds only a new authorization cures', () => {
    expect([...REAUTHORIZATION_FAILURES].sort()).toEqual(REAUTHORIZATION_KINDS.map(boxFailureType).sort());
  });

  it('every kind whose next step is to authorize the connector again pauses, unless decided otherwise', () => {
    // Decided: Forbidden is one request the account may not make (a co-admin acting as an admin: that user
    // is skipped, the rest goes on); Misconfigured needs an operator first, so it fails rather than waits.
    const decidedOtherwise = ['Forbidden', 'Misconfigured'];
    const told = BOX_ERROR_KINDS.filter((kind) => /authorize the connector again/i.test(nextStepOf(kind)));
    expect(
      told
        .filter((k) => !decidedOtherwise.includes(k))
        .map(boxFailureType)
        .sort(),
    ).toEqual([...REAUTHORIZATION_FAILURES].sort());
  });

  it('the list of older histories is the current one without BoxUnauthorized', () => {
    expect(REAUTHORIZATION_FAILURES.filter((t) => t !== 'BoxUnauthorized')).toEqual([
      ...REAUTHORIZATION_FAILURES_BEFORE_UNAUTHORIZED,
    ]);
  });

  it('every connect failure is the type boxFailure gives a real kind', () => {
    const types = new Set(BOX_ERROR_KINDS.map(boxFailureType));
    for (const type of Object.values(CONNECT_FAILURES)) expect(types).toContain(type);
  });

  it('a rejected refresh token becomes a failure type the workflows pause on', () => {
    const failure = boxFailure(new RefreshTokenRejectedError('c1', false));
    expect(REAUTHORIZATION_FAILURES).toContain(failure.type);
    expect(failure.nonRetryable).toBe(true);
  });
});

describe('webhook triggers', () => {
  it('are the dotted names of the kind table', () => {
    expect(WATCHED_TRIGGERS).toHaveLength(15);
    for (const trigger of WATCHED_TRIGGERS)
      expect(Object.values(EVENT_TYPES_BY_KIND).flat()).toContain(trigger);
  });
});
