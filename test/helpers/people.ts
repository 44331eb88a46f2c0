import type { Role } from '../../domain/roles';
import { AccountsRepository, type UserRecord } from '../../store/accounts-repository';
import { ApiTokensRepository } from '../../store/api-tokens-repository';
import type { Store } from '../../store/database';

/** A password that passes the policy, for test accounts. */
export const TEST_PASSWORD = 'test-password-0123';

/** A user of the given role with a personal token of that role, and the headers that send it. */
export async function userWithToken(
  store: Pick<Store, 'db'>,
  role: Role,
  login = `${role}-${Math.random().toString(36).slice(2, 8)}`,
  options: { password?: string; tokenRole?: Role; expiresAt?: string } = {},
): Promise<{ user: UserRecord; token: string; tokenId: string; headers: { authorization: string } }> {
  const user = await new AccountsRepository(store.db).create({
    login,
    role,
    password: options.password,
  });
  const { record, token } = await new ApiTokensRepository(store.db).create({
    userId: user.id,
    name: `${login} test token`,
    role: options.tokenRole ?? role,
    expiresAt: options.expiresAt,
  });
  return { user, token, tokenId: record.id, headers: { authorization: `Bearer ${token}` } };
}
