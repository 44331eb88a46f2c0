import { z } from 'zod';
import { roleAllows, RoleSchema, ROLES, type Role } from '../domain/roles';
import {
  DuplicateLoginError,
  InvalidLoginError,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PasswordPolicyError,
  checkPassword,
  type AccountsRepository,
  type UserRecord,
} from '../store/accounts-repository';
import type { ApiTokenRecord, ApiTokensRepository } from '../store/api-tokens-repository';
import { AUDIT_OUTCOMES, type AuditRecord, type AuditRepository } from '../store/audit-repository';
import { SCAN_PAGE } from '../store/page-cursor';
import { answerPage, pageOf, pagingQuery, type ApiApp } from './api-app';
import { auditDetail, auditTarget } from './audit';
import { describePrincipal, forbidden } from './auth';
import { principalOf, type Principal } from './principal';
import { ProblemError, problemResponses } from './problem';

/** What the people routes need. */
export interface PeopleRoutesDeps {
  tokens: ApiTokensRepository;
  accounts: AccountsRepository;
}

/** Path parameters of /api/tokens/:id and /api/accounts/:id. */
const idParams = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id (letters, digits, _ and -; at most 64)'),
});

const instant = z.iso.datetime({
  offset: true,
  message: 'an ISO 8601 date-time, e.g. 2026-05-01T00:00:00Z',
});

/** The longest a personal token may live. */
const MAX_TOKEN_DAYS = 3650;

/** Body of POST /api/tokens. */
export const createTokenBody = z
  .strictObject({
    name: z
      .string({ message: 'a name' })
      .trim()
      .min(1, 'required')
      .max(100, 'at most 100 characters')
      .describe('What the token is for (e.g. "nightly export")'),
    expiresAt: instant.optional().describe('When the token stops working; unset: never (or expiresInDays)'),
    expiresInDays: z
      .number({ message: 'a number of days' })
      .int('a whole number of days')
      .min(1, 'at least 1')
      .max(MAX_TOKEN_DAYS, `at most ${MAX_TOKEN_DAYS}`)
      .optional()
      .describe('Instead of expiresAt: the token stops working this many days from now'),
    role: RoleSchema.optional().describe("The token's role: yours (the default) or lower"),
  })
  .refine((b) => b.expiresAt === undefined || b.expiresInDays === undefined, {
    message: 'give expiresAt or expiresInDays, not both',
    path: ['expiresInDays'],
  })
  .meta({ id: 'CreateToken' });

/** A personal token as the API shows it (never its value, except once in the answer to its creation). */
export const tokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    userId: z.string(),
    state: z.enum(['active', 'expired', 'revoked']),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().describe('Updated at most once a minute'),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });

const password = z
  .string({ message: 'a password' })
  .describe(`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);

/** Body of POST /api/accounts. */
export const createAccountBody = z
  .strictObject({
    login: z
      .string({ message: 'a login' })
      .min(1, 'required')
      .max(128, 'at most 128 characters')
      .describe('Letters, digits and . _ @ + - (stored lower-case)'),
    displayName: z.string().trim().max(200, 'at most 200 characters').optional(),
    role: RoleSchema,
    password: password
      .optional()
      .describe('Unset: the account cannot sign in with a password until one is set'),
  })
  .meta({ id: 'CreateAccount' });

/** Body of PATCH /api/accounts/:id. */
export const updateAccountBody = z
  .strictObject({
    displayName: z.string().trim().min(1, 'not empty').max(200, 'at most 200 characters').optional(),
    role: RoleSchema.optional(),
    disabled: z.boolean({ message: 'true or false' }).optional(),
    password: password.optional().describe('A new password (a reset: it also ends a lockout)'),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: 'give at least one of displayName, role, disabled, password',
    path: ['displayName'],
  })
  .meta({ id: 'UpdateAccount' });

/** An account as the API shows it (never its password hash). */
export const accountView = z
  .object({
    id: z.string(),
    login: z.string(),
    displayName: z.string(),
    role: z.enum(ROLES),
    disabled: z.boolean(),
    hasPassword: z.boolean(),
    oidcIssuer: z.string().nullable().describe('Set for accounts created by an OpenID Connect sign-in'),
    lockedUntil: z.string().nullable(),
    lastSignInAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Account' });

/** Query of GET /api/audit. */
export const auditQuery = z
  .strictObject({
    actor: z.string().min(1).max(200).optional().describe("The actor's user id or login"),
    action: z
      .string()
      .regex(/^[a-z0-9.-]{1,100}$/, "an action such as 'connector.create'")
      .optional(),
    target: z.string().min(1).max(200).optional(),
    outcome: z.enum(AUDIT_OUTCOMES, { message: AUDIT_OUTCOMES.join(', ') }).optional(),
    since: instant.optional().describe('Entries at or after'),
    until: instant.optional().describe('Entries before'),
    ...pagingQuery(SCAN_PAGE),
  })
  .refine((q) => !q.since || !q.until || Date.parse(q.since) < Date.parse(q.until), {
    message: 'must be later than since',
    path: ['until'],
  });

/** An audit entry as the API shows it. */
export const auditView = z
  .object({
    id: z.number(),
    at: z.string(),
    actorKind: z.string(),
    actorUserId: z.string().nullable(),
    actorLogin: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    method: z.string().nullable(),
    route: z.string().nullable(),
    ip: z.string().nullable(),
    outcome: z.enum(AUDIT_OUTCOMES),
    status: z.number().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' });

/** `/api/tokens`: personal API tokens, each user's own (admins may list and revoke anyone's). */
export function registerTokensRoutes(app: ApiApp, deps: PeopleRoutesDeps): void {
  const { tokens, accounts } = deps;

  app.post(
    '/tokens',
    {
      config: { role: 'viewer', action: 'token.create' },
      schema: {
        summary: 'Create a personal API token for yourself; the answer is the only time it is shown',
        tags: ['people'],
        body: createTokenBody,
        response: {
          201: tokenView.extend({
            token: z.string().describe('cbx_pat_...: send it as "Authorization: Bearer <token>"; shown once'),
          }),
          ...problemResponses(400, 401, 403, 429),
        },
      },
    },
    async (req, reply) => {
      const me = principalOf(req);
      const owner = await ownerOf(me, accounts);
      const body = req.body;
      const role: Role = body.role ?? me.role;
      if (!roleAllows(me.role, role))
        throw new ProblemError(
          'forbidden',
          `A personal token carries your role or a lower one: ${describePrincipal(me)} has '${me.role}', not '${role}'.`,
        );
      const expiresAt =
        body.expiresAt !== undefined
          ? new Date(body.expiresAt).toISOString()
          : body.expiresInDays !== undefined
            ? new Date(Date.now() + body.expiresInDays * 86_400_000).toISOString()
            : undefined;
      if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now())
        throw new ProblemError('invalid-request', 'Invalid body: expiresAt: must be in the future.', {
          errors: [{ in: 'body', field: 'expiresAt', message: 'must be in the future' }],
        });
      const { record, token } = await tokens.create({ userId: owner.id, name: body.name, role, expiresAt });
      auditTarget(req, record.id);
      auditDetail(req, { name: record.name, role, owner: owner.login, expiresAt: expiresAt ?? null });
      return reply.code(201).send({ ...tokenToView(record), token });
    },
  );

  app.get(
    '/tokens',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Your personal API tokens (admins: ?user=<id or login> for someone else’s)',
        tags: ['people'],
        querystring: z.strictObject({
          user: z.string().min(1).max(200).optional().describe('Admins only: whose tokens'),
        }),
        response: {
          200: z.object({ items: z.array(tokenView) }),
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => {
      const me = principalOf(req);
      let userId = me.userId;
      if (req.query.user !== undefined) {
        if (!roleAllows(me.role, 'admin')) throw forbidden(me, 'admin');
        const user =
          (await accounts.findById(req.query.user)) ?? (await accounts.findByLogin(req.query.user));
        if (!user) throw new ProblemError('not-found', `No account '${req.query.user}'.`);
        userId = user.id;
      }
      // The bootstrap API_TOKEN is no user: it owns no personal tokens.
      const items = userId === null ? [] : await tokens.listForUser(userId);
      return { items: items.map(tokenToView) };
    },
  );

  app.delete(
    '/tokens/:id',
    {
      config: { role: 'viewer', action: 'token.revoke' },
      schema: {
        summary: 'Revoke a personal API token (yours; admins: anyone’s)',
        tags: ['people'],
        params: idParams,
        response: { 200: tokenView, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const me = principalOf(req);
      const record = await tokens.get(req.params.id);
      // Someone else's token is "not found" to a non-admin: ids are not confirmed to those who may not act.
      if (!record || (record.user_id !== me.userId && !roleAllows(me.role, 'admin')))
        throw new ProblemError('not-found', `You have no token with id '${req.params.id}'.`);
      const revoked = (await tokens.revoke(record.id))!;
      auditDetail(req, { name: record.name, owner: record.user_id });
      return tokenToView(revoked);
    },
  );
}

/** `/api/accounts` (admin): create, list, read, change role, display name, disabled, password. */
export function registerAccountsRoutes(app: ApiApp, deps: PeopleRoutesDeps): void {
  const { accounts } = deps;

  app.get(
    '/accounts',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Every account, by login',
        tags: ['people'],
        response: { 200: z.object({ items: z.array(accountView) }), ...problemResponses(401, 403, 429) },
      },
    },
    async () => ({ items: (await accounts.list()).map(accountToView) }),
  );

  app.post(
    '/accounts',
    {
      config: { role: 'admin', action: 'account.create' },
      schema: {
        summary: 'Create an account',
        tags: ['people'],
        body: createAccountBody,
        response: { 201: accountView, ...problemResponses(400, 401, 403, 409, 429) },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const user = await withAccountErrors(() =>
        accounts.create({
          login: body.login,
          displayName: body.displayName,
          role: body.role,
          password: body.password,
        }),
      );
      auditTarget(req, user.id);
      auditDetail(req, { login: user.login, role: user.role, password: body.password !== undefined });
      return reply.code(201).send(accountToView(user));
    },
  );

  app.get(
    '/accounts/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'One account',
        tags: ['people'],
        params: idParams,
        response: { 200: accountView, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => accountToView(await mustFind(accounts, req.params.id)),
  );

  app.patch(
    '/accounts/:id',
    {
      config: { role: 'admin', action: 'account.update' },
      schema: {
        summary:
          'Change an account: role, display name, disabled (accounts are disabled, not deleted), password',
        tags: ['people'],
        params: idParams,
        body: updateAccountBody,
        response: { 200: accountView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (req) => {
      const body = req.body;
      const user = await mustFind(accounts, req.params.id);
      if (body.password !== undefined) withPasswordPolicy(() => checkPassword(body.password!));
      const losesAdmin =
        user.role === 'admin' &&
        !user.disabled &&
        ((body.role !== undefined && body.role !== 'admin') || body.disabled === true);
      if (losesAdmin && (await activeAdmins(accounts)) <= 1)
        throw new ProblemError(
          'conflict',
          `'${user.login}' is the last enabled admin account: make another account admin first, so that someone can still manage accounts.`,
        );
      const updated = (await accounts.update(user.id, {
        displayName: body.displayName,
        role: body.role,
        disabled: body.disabled,
      }))!;
      if (body.password !== undefined) await accounts.setPassword(user.id, body.password);
      auditDetail(req, {
        login: user.login,
        ...(body.role !== undefined && { role: { from: user.role, to: body.role } }),
        ...(body.disabled !== undefined && { disabled: body.disabled }),
        ...(body.displayName !== undefined && { displayName: body.displayName }),
        ...(body.password !== undefined && { passwordReset: true }),
      });
      return accountToView((await accounts.findById(updated.id))!);
    },
  );
}

/** `GET /api/audit` (admin): the audit log, newest first, filtered, cursor-paged. */
export function registerAuditRoutes(app: ApiApp): void {
  app.get(
    '/audit',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'The audit log: who did what, when, from where, with which outcome; newest first',
        tags: ['people'],
        querystring: auditQuery,
        response: { 200: pageOf(auditView), ...problemResponses(400, 401, 403, 429) },
      },
    },
    (req) => {
      const { cursor, limit, ...filters } = req.query;
      const audit: AuditRepository = req.server.auditLog;
      return answerPage(() => audit.list(filters, { cursor, limit }), auditToView);
    },
  );
}

/** The user a principal is; the bootstrap API_TOKEN is none, and cannot own personal tokens. */
async function ownerOf(p: Principal, accounts: AccountsRepository): Promise<UserRecord> {
  if (p.userId === null)
    throw new ProblemError(
      'forbidden',
      'The bootstrap API_TOKEN is not a user, so it cannot own personal tokens: create them as a user (npm run accounts -- token <login>, or with a personal token or console session of that user).',
    );
  const user = await accounts.findById(p.userId);
  if (!user) throw new ProblemError('forbidden', 'Your account no longer exists.');
  return user;
}

async function mustFind(accounts: AccountsRepository, id: string): Promise<UserRecord> {
  const user = await accounts.findById(id);
  if (!user) throw new ProblemError('not-found', `No account with id '${id}'.`);
  return user;
}

async function activeAdmins(accounts: AccountsRepository): Promise<number> {
  return (await accounts.list()).filter((u) => u.role === 'admin' && !u.disabled).length;
}

function withPasswordPolicy(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof PasswordPolicyError)) throw err;
    throw new ProblemError('invalid-request', `Invalid body: password: ${err.message}`, {
      errors: [{ in: 'body', field: 'password', message: err.message }],
    });
  }
}

async function withAccountErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DuplicateLoginError) throw new ProblemError('conflict', err.message);
    if (err instanceof InvalidLoginError)
      throw new ProblemError('invalid-request', `Invalid body: login: ${err.message}`, {
        errors: [{ in: 'body', field: 'login', message: err.message }],
      });
    if (err instanceof PasswordPolicyError)
      throw new ProblemError('invalid-request', `Invalid body: password: ${err.message}`, {
        errors: [{ in: 'body', field: 'password', message: err.message }],
      });
    throw err;
  }
}

function tokenToView(t: ApiTokenRecord, now = Date.now()): z.infer<typeof tokenView> {
  const state =
    t.revoked_at !== null
      ? 'revoked'
      : t.expires_at !== null && Date.parse(t.expires_at) <= now
        ? 'expired'
        : 'active';
  return {
    id: t.id,
    name: t.name,
    role: RoleSchema.catch('viewer').parse(t.role),
    userId: t.user_id,
    state,
    createdAt: t.created_at,
    expiresAt: t.expires_at,
    lastUsedAt: t.last_used_at,
    revokedAt: t.revoked_at,
  };
}

function accountToView(u: UserRecord): z.infer<typeof accountView> {
  return {
    id: u.id,
    login: u.login,
    displayName: u.display_name,
    role: RoleSchema.catch('viewer').parse(u.role),
    disabled: u.disabled !== 0,
    hasPassword: u.password_hash !== null,
    oidcIssuer: u.oidc_issuer,
    lockedUntil: u.locked_until,
    lastSignInAt: u.last_sign_in_at,
    createdAt: u.created_at,
    updatedAt: u.updated_at,
  };
}

function auditToView(r: AuditRecord): z.infer<typeof auditView> {
  let detail: Record<string, unknown> | null = null;
  if (r.detail !== null) {
    try {
      detail = JSON.parse(r.detail) as Record<string, unknown>;
    } catch {
      detail = { unparsed: r.detail };
    }
  }
  return {
    id: Number(r.id),
    at: r.at,
    actorKind: r.actor_kind,
    actorUserId: r.actor_user_id,
    actorLogin: r.actor_login,
    action: r.action,
    target: r.target,
    method: r.method,
    route: r.route,
    ip: r.ip,
    outcome: r.outcome as z.infer<typeof auditView>['outcome'],
    status: r.status,
    detail,
  };
}
