/** Users: GET /2.0/users/me, GET /2.0/users, GET /2.0/users/:id. */
import { boxErrors } from '../errors';
import { USER_FIELDS, parseFields, userJson } from '../json-shapes';
import { page, queryValue, type ApiContext, type Query } from './context';

/** GET /2.0/users/me */
export function getCurrentUser(ctx: ApiContext, query: Query): Record<string, unknown> {
  return userJson(
    ctx.enterprise,
    ctx.actingUser,
    parseFields(queryValue(query, 'fields'), USER_FIELDS, ctx.strict),
  );
}

/** GET /2.0/users/:id (admins and co-admins, or the user themselves). */
export function getUser(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  const user = ctx.enterprise.userById(id);
  const mayList = ctx.actingUser.inEnterprise && ctx.actingUser.role !== 'user';
  if (
    !user ||
    (!mayList && user.index !== ctx.actingUser.index) ||
    (user.inEnterprise !== ctx.actingUser.inEnterprise && user.index !== ctx.actingUser.index)
  )
    throw boxErrors.notFound('user', id);
  return userJson(ctx.enterprise, user, parseFields(queryValue(query, 'fields'), USER_FIELDS, ctx.strict));
}

/** GET /2.0/users: the enterprise's managed users (admins and co-admins only). */
export function listUsers(ctx: ApiContext, query: Query): Record<string, unknown> {
  if (!ctx.actingUser.inEnterprise || ctx.actingUser.role === 'user') throw boxErrors.forbidden();
  const fields = parseFields(queryValue(query, 'fields'), USER_FIELDS, ctx.strict);
  const userType = queryValue(query, 'user_type') ?? 'managed';
  if (!['all', 'managed', 'external'].includes(userType))
    throw boxErrors.invalidParameter('user_type', `Invalid value '${userType}' for user_type`);
  const term = queryValue(query, 'filter_term')?.toLowerCase();
  const users =
    userType === 'external'
      ? []
      : ctx.enterprise.managedUsers.filter(
          (u) => !term || u.login.startsWith(term) || u.name.toLowerCase().startsWith(term),
        );
  return page(
    ctx,
    query,
    users.map((u) => userJson(ctx.enterprise, u, fields)),
    100,
    1000,
  );
}
