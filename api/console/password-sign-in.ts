import { signInRefusal, type UserRecord } from '../../store/accounts-repository';
import type { ConsoleContext } from './console-routes';

/** Why a password sign-in failed (for the audit log only: the page says the same for every reason). */
export type PasswordRefusal = 'unknown-login' | 'wrong-password' | 'no-password' | 'locked' | 'disabled';

/** The outcome of a password sign-in. */
export type PasswordSignIn =
  | { ok: true; user: UserRecord }
  | {
      ok: false;
      reason: PasswordRefusal;
      /** The account the login names, when there is one. */
      user?: UserRecord;
      /** True when this failure locked the account. */
      lockedNow?: boolean;
      lockedUntil?: string;
    };

/**
 * Checks a login and password: argon2id verification (the same work for an unknown login), then the
 * account's state. A wrong password counts towards the lockout (SIGN_IN_LOCK_AFTER failures in a row lock
 * the account for SIGN_IN_LOCK_DURATION); a locked account refuses even the right password, and its failed
 * attempts are not counted again; a success clears the count.
 */
export async function signInWithPassword(
  ctx: Pick<ConsoleContext, 'accounts' | 'config'>,
  login: string,
  password: string,
  now = Date.now(),
): Promise<PasswordSignIn> {
  const verified = await ctx.accounts.verifyPassword(login, password);
  const user = verified ?? (login.trim() ? await ctx.accounts.findByLogin(login) : undefined);
  if (!user) return { ok: false, reason: 'unknown-login' };
  const refusal = signInRefusal(user, now);
  if (refusal) return { ok: false, reason: refusal, user };
  if (!verified) {
    const { lockAfterFailures, lockForMs } = ctx.config.console;
    const after = await ctx.accounts.recordFailedSignIn(user.id, lockAfterFailures, lockForMs, now);
    const lockedNow = after !== undefined && signInRefusal(after, now) === 'locked';
    return {
      ok: false,
      reason: user.password_hash ? 'wrong-password' : 'no-password',
      user,
      lockedNow,
      ...(lockedNow && { lockedUntil: after.locked_until! }),
    };
  }
  await ctx.accounts.recordSignIn(user.id, now);
  return { ok: true, user };
}
