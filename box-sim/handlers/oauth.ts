/**
 * OAuth 2.0: the consent page (GET/POST /api/oauth2/authorize), POST /oauth2/token and POST /oauth2/revoke.
 * The page's form is part of the contract tests and browsers use: `<select name="login">`, buttons
 * `name="action"` with `value="allow"` or `value="deny"`, hidden fields carrying the request.
 */
import type { Enterprise, SimUser } from '../enterprise';
import { boxErrors } from '../errors';
import type { TokenResponse, TokenStore } from '../oauth-tokens';

/** The app the simulator accepts. */
export interface AppCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** An authorize request, as query or form fields. */
export type OAuthFields = Record<string, string | undefined>;

/** Outcome of an authorize step: a page to show, or a redirect. */
export type AuthorizeOutcome = { status: number; html: string } | { redirect: string };

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function errorPage(status: number, title: string, detail: string): AuthorizeOutcome {
  return {
    status,
    html: `<!doctype html><html><head><meta charset="utf-8"><title>box-sim: ${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p id="error">${escapeHtml(detail)}</p></body></html>`,
  };
}

function checkRequest(app: AppCredentials, fields: OAuthFields): AuthorizeOutcome | undefined {
  if (fields.response_type !== 'code')
    return errorPage(400, 'Invalid request', "response_type must be 'code'.");
  if (fields.client_id !== app.clientId)
    return errorPage(
      400,
      'Invalid client',
      `Unknown client_id '${fields.client_id ?? ''}'. Configure the app's client ID (box-sim default: box-sim-client-id).`,
    );
  if (!fields.redirect_uri) return errorPage(400, 'Invalid request', 'redirect_uri is required.');
  try {
    new URL(fields.redirect_uri);
  } catch {
    return errorPage(400, 'Invalid request', `redirect_uri '${fields.redirect_uri}' is not an absolute URL.`);
  }
  return undefined;
}

function roleLabel(user: SimUser): string {
  if (!user.inEnterprise) return 'personal account, no enterprise';
  return user.role === 'admin' ? 'admin' : user.role === 'coadmin' ? 'co-admin' : 'user';
}

/** Accounts offered on the consent page: the admin, co-admins, a few users and the personal account. */
export function consentAccounts(ent: Enterprise): SimUser[] {
  const admins = ent.managedUsers.filter((u) => u.role !== 'user');
  const plain = ent.managedUsers.filter((u) => u.role === 'user').slice(0, 5);
  return [...admins, ...plain, ...ent.users.filter((u) => !u.inEnterprise)];
}

/** GET /api/oauth2/authorize: the consent page. */
export function authorizePage(ent: Enterprise, app: AppCredentials, fields: OAuthFields): AuthorizeOutcome {
  const invalid = checkRequest(app, fields);
  if (invalid) return invalid;
  const hidden = ['client_id', 'redirect_uri', 'response_type', 'state', 'scope']
    .filter((k) => fields[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(fields[k]!)}">`)
    .join('\n      ');
  const options = consentAccounts(ent)
    .map(
      (u, i) =>
        `<option value="${escapeHtml(u.login)}"${i === 0 ? ' selected' : ''}>${escapeHtml(u.name)} &lt;${escapeHtml(u.login)}&gt; (${roleLabel(u)})</option>`,
    )
    .join('\n        ');
  const html = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>box-sim: grant access to Box</title></head>
  <body>
    <h1>Grant access to Box (box-sim)</h1>
    <p>The application <code>${escapeHtml(fields.client_id!)}</code> asks to read and write all files and folders stored in Box, and to manage the enterprise.</p>
    <form id="consent" method="post" action="/api/oauth2/authorize">
      ${hidden}
      <label for="login">Log in as</label>
      <select id="login" name="login">
        ${options}
      </select>
      <button type="submit" id="allow" name="action" value="allow">Grant access to Box</button>
      <button type="submit" id="deny" name="action" value="deny">Deny</button>
    </form>
  </body>
</html>
`;
  return { status: 200, html };
}

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** POST /api/oauth2/authorize: the user allowed (a code) or denied (access_denied). */
export function authorizeDecision(
  ent: Enterprise,
  app: AppCredentials,
  tokens: TokenStore,
  fields: OAuthFields,
): AuthorizeOutcome {
  const invalid = checkRequest(app, fields);
  if (invalid) return invalid;
  if (fields.action === 'deny') {
    return {
      redirect: withParams(fields.redirect_uri!, {
        error: 'access_denied',
        error_description: 'The user denied access to your application',
        state: fields.state,
      }),
    };
  }
  if (fields.action !== 'allow')
    return errorPage(400, 'Invalid request', "action must be 'allow' or 'deny'.");
  const user = fields.login ? ent.userByLogin(fields.login) : undefined;
  if (!user) return errorPage(400, 'Unknown account', `No account with login '${fields.login ?? ''}'.`);
  const code = tokens.issueCode(user.index, app.clientId, fields.redirect_uri!);
  return { redirect: withParams(fields.redirect_uri!, { code, state: fields.state }) };
}

/** POST /oauth2/token: authorization_code and refresh_token grants. */
export function token(app: AppCredentials, tokens: TokenStore, form: OAuthFields): TokenResponse {
  if (form.client_id !== app.clientId || form.client_secret !== app.clientSecret)
    throw boxErrors.invalidClient();
  switch (form.grant_type) {
    case 'authorization_code':
      if (!form.code) throw boxErrors.invalidRequest('Missing parameter: code');
      return tokens.exchangeCode(form.code, app.clientId);
    case 'refresh_token':
      if (!form.refresh_token) throw boxErrors.invalidRequest('Missing parameter: refresh_token');
      return tokens.refreshTokens(form.refresh_token, app.clientId);
    case undefined:
      throw boxErrors.invalidRequest('The grant type is unauthorized for this client_id');
    default:
      throw boxErrors.unsupportedGrant();
  }
}

/** POST /oauth2/revoke */
export function revoke(app: AppCredentials, tokens: TokenStore, form: OAuthFields): void {
  if (form.client_id !== app.clientId || form.client_secret !== app.clientSecret)
    throw boxErrors.invalidClient();
  if (form.token) tokens.revoke(form.token);
}
