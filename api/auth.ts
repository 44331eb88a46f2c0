import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { roleAllows } from '../domain/roles';
import {
  LAST_USED_RESOLUTION_MS,
  PERSONAL_TOKEN_PREFIX,
  type ApiTokensRepository,
} from '../store/api-tokens-repository';
import { BOOTSTRAP_PRINCIPAL, type Principal } from './principal';
import { ProblemError } from './problem';

/** Checks `Authorization: Bearer <token>` in constant time (the token must not leak through timing). */
export class BearerToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = Buffer.from(`Bearer ${token}`);
  }

  /** True when the request carries the token. */
  accepts(req: Pick<FastifyRequest, 'headers'>): boolean {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === this.expected.length && timingSafeEqual(given, this.expected);
  }
}

/** What the /api credential check needs. */
export interface AuthenticatorOptions {
  /** The bootstrap API_TOKEN. */
  bootstrapToken: string;
  /** API_TOKEN_DISABLED: the bootstrap token is refused with a 401 saying so. */
  bootstrapDisabled: boolean;
  tokens: ApiTokensRepository;
}

/**
 * Who a request is: the bootstrap API_TOKEN (an admin that is no user, unless disabled), a user's personal
 * token (`cbx_pat_...`, with the weaker of the token's and its owner's role), or a principal an earlier hook
 * already set (the console's session). Anything else is a 401 problem.
 */
export class Authenticator {
  private readonly bootstrap: BearerToken;

  constructor(private readonly options: AuthenticatorOptions) {
    this.bootstrap = new BearerToken(options.bootstrapToken);
  }

  /** The request's principal; throws the 401 problem saying why there is none. */
  async authenticate(req: FastifyRequest): Promise<Principal> {
    if (req.principal) return req.principal;
    if (this.bootstrap.accepts(req)) {
      if (this.options.bootstrapDisabled)
        throw unauthorized(
          'The bootstrap API_TOKEN is disabled on this server (API_TOKEN_DISABLED=true): use a personal API token (npm run accounts -- token <login>).',
        );
      return BOOTSTRAP_PRINCIPAL;
    }
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!token.startsWith(PERSONAL_TOKEN_PREFIX) || token.length > 200) throw unauthorized();
    const check = await this.options.tokens.check(token);
    if (!check.ok) throw unauthorized(REFUSALS[check.reason]);
    // At most one write a minute per token: skipped without a statement while the stored time is recent
    // (an UPDATE matching nothing still takes SQLite's write lock), guarded in the UPDATE against races.
    const lastUsed = check.token.last_used_at === null ? 0 : Date.parse(check.token.last_used_at);
    if (Date.now() - lastUsed >= LAST_USED_RESOLUTION_MS) await this.options.tokens.touch(check.token.id);
    return {
      kind: 'personal-token',
      userId: check.user.id,
      login: check.user.login,
      role: check.role,
      tokenId: check.token.id,
    };
  }

  /** True when the request carries a credential that works (for answers outside a route's hooks). */
  async accepts(req: FastifyRequest): Promise<boolean> {
    try {
      await this.authenticate(req);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The /api scope's onRequest hook: sets `req.principal`, then checks the role the route declares
   * (`config.role`): 401 without a working credential, 403 `forbidden` naming the role needed.
   */
  hook(): onRequestHookHandler {
    return (req, _reply, done) => {
      this.authenticate(req).then(
        (principal) => {
          req.principal = principal;
          const need = req.routeOptions.config.role;
          if (need === undefined) return done(new Error(`Route ${req.routeOptions.url} declares no role`));
          if (roleAllows(principal.role, need)) return done();
          done(forbidden(principal, need));
        },
        (err: Error) => done(err),
      );
    };
  }
}

const REFUSALS = {
  unknown: undefined,
  revoked: 'This personal API token was revoked: create a new one (POST /api/tokens).',
  expired: 'This personal API token has expired: create a new one (POST /api/tokens).',
  'user-disabled': 'The account this personal API token belongs to is disabled: ask an admin.',
} as const;

/** Who a principal is, in a sentence. */
export function describePrincipal(p: Principal): string {
  if (p.kind === 'api-token') return 'the bootstrap API_TOKEN';
  return `${p.kind === 'session' ? 'the session of' : 'a personal API token of'} '${p.login}'`;
}

/** The 403 problem of a principal whose role is below the route's. */
export function forbidden(p: Principal, need: string): ProblemError {
  return new ProblemError(
    'forbidden',
    `This route needs the role '${need}' or higher; ${describePrincipal(p)} has the role '${p.role}'. Ask an admin for that role.`,
  );
}

/** The 401 problem of a request without a working credential. */
export function unauthorized(
  detail = 'Send the API token or a personal API token as "Authorization: Bearer <token>".',
): ProblemError {
  return new ProblemError('unauthorized', detail, {
    headers: { 'www-authenticate': 'Bearer realm="connect-box"' },
  });
}
