import { createHash } from 'node:crypto';
// openid-client is ESM only: loaded with import() (this package is CommonJS), its types with resolution-mode.
import type * as OpenIdClient from 'openid-client' with { 'resolution-mode': 'import' };
import type { OidcConfig } from '../../config/config';
import { isLoopbackUrl } from '../../config/config';
import { ROLES, roleAllows, type Role } from '../../domain/roles';
import { LOGIN_PATTERN } from '../../store/accounts-repository';

/** The cookie holding a single sign-on in progress (state, nonce, PKCE verifier), signed, 10 minutes. */
export const OIDC_COOKIE = 'cb_oidc';
/** How long a started single sign-on may take at the identity provider. */
export const OIDC_TRANSACTION_MS = 10 * 60_000;
/** Where the identity provider sends the browser back (register PUBLIC_BASE_URL + this at the provider). */
export const OIDC_CALLBACK_PATH = '/console/oidc/callback';

/** A single sign-on in progress, kept in the browser's OIDC_COOKIE between start and callback. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  verifier: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Who the identity provider says signed in, and the values of the role claim. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  login: string;
  displayName: string;
  roleValues: string[];
}

/** Why a single sign-on was refused; each answers its own page. */
export type OidcRefusalReason =
  'unavailable' | 'provider-error' | 'no-transaction' | 'state-mismatch' | 'verification-failed';

/** Thrown when a single sign-on cannot go on; `detail` is safe to show (no token, no code). */
export class OidcRefusal extends Error {
  constructor(
    readonly reason: OidcRefusalReason,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(detail, { cause });
  }
}

/** Encodes a transaction for its cookie (the cookie is signed by @fastify/cookie). */
export function encodeTransaction(tx: OidcTransaction): string {
  return Buffer.from(JSON.stringify(tx)).toString('base64url');
}

/** Decodes a transaction cookie's (verified) value; undefined when it is not one. */
export function decodeTransaction(value: string): OidcTransaction | undefined {
  try {
    const tx = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<OidcTransaction>;
    const text = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 200;
    if (text(tx.state) && text(tx.nonce) && text(tx.verifier) && typeof tx.expiresAt === 'number')
      return tx as OidcTransaction;
  } catch {
    // not base64url JSON
  }
  return undefined;
}

/**
 * OpenID Connect sign-in through openid-client: authorization code flow with PKCE (S256), state and nonce.
 * The provider's metadata is discovered on first use and kept; a failed discovery is retried next time.
 */
export class OidcSignIn {
  private discovered: Promise<OpenIdClient.Configuration> | undefined;
  private readonly client: Promise<typeof OpenIdClient> = import('openid-client');

  constructor(
    readonly settings: OidcConfig,
    /** PUBLIC_BASE_URL + OIDC_CALLBACK_PATH. */
    readonly redirectUri: string,
  ) {}

  /** The provider's configuration (discovery); throws OidcRefusal 'unavailable'. */
  private async configuration(): Promise<OpenIdClient.Configuration> {
    const oidc = await this.client;
    this.discovered ??= oidc
      .discovery(
        new URL(this.settings.issuerUrl),
        this.settings.clientId,
        this.settings.clientSecret,
        undefined,
        // Plain http only for a provider on this machine (config refuses others).
        isLoopbackUrl(this.settings.issuerUrl) && this.settings.issuerUrl.startsWith('http:')
          ? { execute: [oidc.allowInsecureRequests] }
          : undefined,
      )
      .catch((err: unknown) => {
        this.discovered = undefined;
        throw err;
      });
    try {
      return await this.discovered;
    } catch (err) {
      throw new OidcRefusal(
        'unavailable',
        `The identity provider at ${this.settings.issuerUrl} could not be reached or did not describe itself (OpenID Connect discovery failed).`,
        err,
      );
    }
  }

  /** Starts a sign-on: the provider URL to send the browser to, and the transaction to keep in its cookie. */
  async start(now = Date.now()): Promise<{ url: string; transaction: OidcTransaction }> {
    const config = await this.configuration();
    const oidc = await this.client;
    const verifier = oidc.randomPKCECodeVerifier();
    const transaction: OidcTransaction = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier,
      expiresAt: now + OIDC_TRANSACTION_MS,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
    });
    return { url: url.href, transaction };
  }

  /**
   * Finishes a sign-on from the callback's query and this browser's transaction: checks the provider's
   * error, the transaction, the state, then exchanges the code (PKCE verifier) and verifies the ID token
   * (issuer, audience, signature, nonce). The role claim is read from the ID token, else from userinfo.
   */
  async finish(
    query: URLSearchParams,
    tx: OidcTransaction | undefined,
    now = Date.now(),
  ): Promise<OidcIdentity> {
    const error = query.get('error');
    if (error) {
      const description = query.get('error_description');
      throw new OidcRefusal(
        'provider-error',
        `The identity provider refused the sign-in: ${clip(error)}${description ? ` (${clip(description)})` : ''}.`,
      );
    }
    if (!tx || tx.expiresAt <= now)
      throw new OidcRefusal(
        'no-transaction',
        'No single sign-on was started in this browser in the last 10 minutes (it expired, was already finished, or was started in another browser).',
      );
    if (query.get('state') !== tx.state)
      throw new OidcRefusal(
        'state-mismatch',
        "The answer's state does not match the sign-in this browser started: it may come from another sign-in, or from someone trying to sign you in as them.",
      );
    const config = await this.configuration();
    const oidc = await this.client;
    const currentUrl = new URL(this.redirectUri);
    currentUrl.search = query.toString();
    let tokens: Awaited<ReturnType<typeof OpenIdClient.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw new OidcRefusal(
        'verification-failed',
        `The identity provider's answer could not be verified: ${clip(describe(err))}.`,
        err,
      );
    }
    const claims = tokens.claims()!;
    let source: Record<string, unknown> = claims;
    if (claims[this.settings.roleClaim] === undefined && tokens.access_token) {
      try {
        source = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
      } catch (err) {
        throw new OidcRefusal(
          'verification-failed',
          `The identity provider's userinfo could not be read: ${clip(describe(err))}.`,
          err,
        );
      }
    }
    return {
      issuer: claims.iss,
      subject: claims.sub,
      login: loginOf(source, claims.iss, claims.sub),
      displayName: textClaim(source.name) ?? loginOf(source, claims.iss, claims.sub),
      roleValues: roleValuesOf(source[this.settings.roleClaim]),
    };
  }
}

/**
 * The connect-box role of a claim's values: the highest role any value maps to (OIDC_ROLE_MAP), else the
 * default role (OIDC_DEFAULT_ROLE), else undefined (the sign-in is refused).
 */
export function mapRole(
  values: string[],
  settings: Pick<OidcConfig, 'roleMap' | 'defaultRole'>,
): Role | undefined {
  let best: Role | undefined;
  for (const v of values) {
    const role = Object.hasOwn(settings.roleMap, v) ? settings.roleMap[v] : undefined;
    if (role && (!best || roleAllows(role, best))) best = role;
  }
  return best ?? settings.defaultRole;
}

function roleValuesOf(claim: unknown): string[] {
  if (typeof claim === 'string') return [claim];
  if (Array.isArray(claim)) return claim.filter((v): v is string => typeof v === 'string');
  return [];
}

function textClaim(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined;
}

/**
 * The login of an identity: preferred_username, else email, lower-case, when it is a valid login; else one
 * derived from the issuer and subject (stable, and never a local account's).
 */
function loginOf(claims: Record<string, unknown>, issuer: string, subject: string): string {
  for (const name of ['preferred_username', 'email']) {
    const v = textClaim(claims[name])?.toLowerCase();
    if (v && LOGIN_PATTERN.test(v)) return v;
  }
  return `oidc-${createHash('sha256').update(`${issuer}\0${subject}`).digest('hex').slice(0, 16)}`;
}

function describe(err: unknown): string {
  const e = err as { error?: string; error_description?: string };
  if (e.error) return e.error_description ? `${e.error} (${e.error_description})` : e.error;
  // openid-client wraps oauth4webapi's error, whose message names the claim (e.g. the ID token's nonce).
  const messages: string[] = [];
  for (let at: unknown = err; at instanceof Error && messages.length < 3; at = at.cause)
    messages.push(at.message);
  return messages.join(': ') || String(err);
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** The roles, for the docs of OIDC_ROLE_MAP. */
export const MAPPABLE_ROLES = ROLES;
