import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ROLES, roleAllows } from '../../domain/roles';
import type { ApiTokenRecord } from '../../store/api-tokens-repository';
import type { ApiApp } from '../api-app';
import { ProblemError } from '../problem';
import { recordAudit } from '../audit';
import type { ConsoleContext } from './console-routes';
import { csrfField, html, join, type Html } from './pages';
import { sendConsolePage, utc } from './send-page';

const DAY = 86_400_000;

const createTokenBody = z.object({
  name: z.string().trim().min(1, 'give the token a name').max(100, 'at most 100 characters'),
  role: z.enum(ROLES),
  expiresInDays: z
    .union([
      z.literal(''),
      z.coerce.number().int('whole days').min(1, 'at least 1 day').max(365, 'at most 365 days'),
    ])
    .optional(),
  _csrf: z.string().max(200).optional(),
});
const tokenParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a token id') });

/**
 * The console's signed-in pages: who is signed in (role, session expiry), and the user's personal API
 * tokens (created here and shown once, revoked here). The Operators issue adds the rest of the console.
 */
export function registerHomeRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  scope.get('', async (req, reply) => {
    const session = req.consoleSession!;
    const idleMinutes = Math.round(ctx.config.console.sessionIdleMs / 60_000);
    return sendConsolePage(req, reply, {
      title: 'Console',
      section: 'home',
      body: html`<dl>
          <dt>Signed in as</dt>
          <dd id="login">${session.user.login} (${session.user.displayName})</dd>
          <dt>Role</dt>
          <dd id="user-role">${session.user.role}</dd>
          <dt>Session ends</dt>
          <dd id="expires">
            at ${utc(session.expiresAt)} at the latest, or after ${idleMinutes} minutes without activity (by
            ${utc(session.idleExpiresAt)})
          </dd>
        </dl>
        <ul>
          <li><a id="tokens-link" href="/console/tokens">Personal API tokens</a></li>
          <li><a href="/openapi.json">The API (OpenAPI document)</a></li>
        </ul>`,
    });
  });

  scope.get('/tokens', async (req, reply) => sendTokensPage(req, reply, ctx));

  scope.post('/tokens', { schema: { body: createTokenBody } }, async (req, reply) => {
    const session = req.consoleSession!;
    const { name, role, expiresInDays } = req.body;
    if (!roleAllows(session.user.role, role))
      throw new ProblemError(
        'forbidden',
        `A token carries your role (${session.user.role}) or less; ${role} is more.`,
      );
    const expiresAt =
      typeof expiresInDays === 'number'
        ? new Date(Date.now() + expiresInDays * DAY).toISOString()
        : undefined;
    const { record, token } = await ctx.tokens.create({ userId: session.user.id, name, role, expiresAt });
    await recordAudit(req, {
      action: 'token.create',
      outcome: 'ok',
      status: 200,
      target: record.id,
      detail: { name, role, expiresAt: expiresAt ?? null },
    });
    const shown = html`<div class="notice">
      <p>Token <strong>${name}</strong> created. Copy it now: it is shown only this once.</p>
      <code class="secret" id="new-token">${token}</code>
      <p>Use it as <code>Authorization: Bearer &lt;token&gt;</code> with the API.</p>
    </div>`;
    return sendTokensPage(req, reply, ctx, shown);
  });

  scope.post('/tokens/:id/revoke', { schema: { params: tokenParams } }, async (req, reply) => {
    const session = req.consoleSession!;
    const token = await ctx.tokens.get(req.params.id);
    // Someone else's token is answered as no token: its id tells nothing.
    if (!token || token.user_id !== session.user.id)
      throw new ProblemError('not-found', 'You have no token with this id.');
    await ctx.tokens.revoke(token.id);
    await recordAudit(req, {
      action: 'token.revoke',
      outcome: 'ok',
      status: 303,
      target: token.id,
      detail: { name: token.name },
    });
    return reply.redirect('/console/tokens', 303);
  });
}

async function sendTokensPage(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: ConsoleContext,
  shown?: Html,
): Promise<FastifyReply> {
  const session = req.consoleSession!;
  const csrf = reply.generateCsrf({ userInfo: `session:${session.idHash}` });
  const list = await ctx.tokens.listForUser(session.user.id);
  const rows = list.map((t) => tokenRow(t, csrf));
  const roles = ROLES.filter((r) => roleAllows(session.user.role, r));
  return sendConsolePage(req, reply, {
    title: 'Personal API tokens',
    section: 'home',
    csrf,
    body: html`${shown ?? html``}
      <h2>Create a token</h2>
      <form method="post" action="/console/tokens" id="create-token">
        ${csrfField(csrf)} <label for="name">Name</label
        ><input type="text" id="name" name="name" maxlength="100" required /> <label for="role">Role</label
        ><select id="role" name="role">
          ${join(
            roles.map(
              (r) =>
                html`<option value="${r}" ${r === session.user.role ? html` selected` : html``}>
                  ${r}
                </option>`,
            ),
          )}
        </select>
        <label for="expiresInDays">Expires after (days, empty: never)</label
        ><input type="number" id="expiresInDays" name="expiresInDays" min="1" max="365" />
        <div><button id="create" type="submit">Create token</button></div>
      </form>
      <h2>Your tokens</h2>
      ${
        rows.length
          ? html`<table id="tokens">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Role</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th>State</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${join(rows)}
              </tbody>
            </table>`
          : html`<p id="no-tokens">You have no tokens.</p>`
      }`,
  });
}

function tokenRow(t: ApiTokenRecord, csrf: string): Html {
  const state = t.revoked_at
    ? `revoked ${utc(new Date(t.revoked_at))}`
    : t.expires_at && Date.parse(t.expires_at) <= Date.now()
      ? 'expired'
      : 'active';
  const revoke =
    state === 'active'
      ? html`<form class="inline" method="post" action="/console/tokens/${t.id}/revoke">
          ${csrfField(csrf)}<button type="submit" class="revoke">Revoke</button>
        </form>`
      : html``;
  return html`<tr data-token-id="${t.id}">
    <td>${t.name}</td>
    <td>${t.role}</td>
    <td>${utc(new Date(t.created_at))}</td>
    <td>${t.expires_at ? utc(new Date(t.expires_at)) : 'never'}</td>
    <td>${t.last_used_at ? utc(new Date(t.last_used_at)) : 'never'}</td>
    <td class="state">${state}</td>
    <td>${revoke}</td>
  </tr>`;
}
