import { BoxClient } from 'box-node-sdk';
import { BoxApiError } from 'box-node-sdk/box';
import {
  BaseUrls,
  BoxNetworkClient,
  NetworkSession,
  type FetchOptionsInput,
  type FetchResponse,
  type NetworkClient,
} from 'box-node-sdk/networking';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createAgent } from 'box-node-sdk/internal/utils';
import type { BoxApp, Config } from '../config/config';
import type { DataCenter } from '../domain/data-centers';
import { BoxAppNotConfiguredError } from './box-errors';
import { ConnectorAuth, type ConnectorAuthOptions } from './connector-auth';
import { actingUserOf, countBoxRequest, logAndCountBoxRetry } from './box-retries';
import { RetryAfterStrategy, retryAfterHeaderMs, type RetryAfterStrategyOptions } from './retry-strategy';
import { urgentBoxCalls, type UserRateBudget } from './user-rate-budget';
import { requestTokens, revokeToken } from './token-endpoint';
import type { TokenVault } from './token-vault';

export {
  RefreshTokenRejectedError,
  BoxTokensMissingError,
  RefreshWaitTimeoutError,
  BoxAppNotConfiguredError,
} from './box-errors';

/** Default timeout of one Box API request (headers of a download included, not its body). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Timeout of one token-endpoint request: short, so a refresh fits well inside the store lease. */
export const TOKEN_REQUEST_TIMEOUT_MS = 15_000;

/** Where and how to reach Box for one connector. */
export interface BoxConnectionOptions {
  config: Pick<Config, 'box'>;
  dataCenter: DataCenter;
  connectorId: string;
  vault: TokenVault;
}

/** Extra knobs of createBoxClient (tests make everything fast; production keeps the defaults). */
export interface BoxClientOptions extends BoxConnectionOptions {
  retry?: RetryAfterStrategyOptions;
  requestTimeoutMs?: number;
  /** Paces every API call per Box user (box/user-rate-budget.ts); unset: calls are not paced. */
  rateBudget?: UserRateBudget;
  auth?: Partial<Omit<ConnectorAuthOptions, 'connectorId' | 'app' | 'vault' | 'tokenSession'>>;
}

/** A BoxClient plus the ConnectorAuth behind it. */
export type ConnectedBoxClient = BoxClient & { readonly connectorAuth: ConnectorAuth };

/** The Box app (client id and secret) of a data centre; throws BoxAppNotConfiguredError when unset. */
export function boxAppFor(config: Pick<Config, 'box'>, dataCenter: DataCenter): BoxApp {
  const app = config.box.apps[dataCenter];
  if (!app) throw new BoxAppNotConfiguredError(dataCenter);
  return app;
}

/** The SDK's base URLs from configuration (real Box or box-sim). */
export function boxBaseUrls(config: Pick<Config, 'box'>): BaseUrls {
  return new BaseUrls({
    baseUrl: trimSlash(config.box.apiBaseUrl),
    uploadUrl: trimSlash(config.box.uploadBaseUrl),
    oauth2Url: trimSlash(config.box.authorizeUrl).replace(/\/authorize$/, ''),
  });
}

/**
 * One keep-alive agent for every Box session of the process. The SDK gives each session an agent that
 * opens a new connection per request (and TLS with it, against Box); a scan makes several calls per file.
 * With a proxy in the environment it is the SDK's own agent kind (proxy-agent), which honours it. Without
 * one, node's keep-alive agents, chosen by the URL's protocol (node-fetch takes an agent function):
 * proxy-agent tells HTTP from HTTPS by reading a new Error's stack on every request when node-fetch does
 * not pass the protocol, which cost the walk about 2.5 % of its CPU.
 */
let sharedAgent: object | undefined;
function keepAliveAgent(): object {
  if (sharedAgent) return sharedAgent;
  const options = { keepAlive: true, maxSockets: 256 };
  if (proxyConfigured(process.env)) sharedAgent = createAgent(options) as object;
  else {
    const plain = new HttpAgent(options);
    const secure = new HttpsAgent(options);
    sharedAgent = (url: URL) => (url.protocol === 'https:' ? secure : plain);
  }
  return sharedAgent;
}

/** Whether the environment names a proxy as proxy-agent reads it (`HTTPS_PROXY`, `npm_config_proxy`...). */
export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return Object.entries(env).some(
    ([name, value]) => !!value && /^(npm_config_)?(https?_|all_)?proxy$/i.test(name),
  );
}

/**
 * A network session with our base URLs, RetryAfterStrategy and a request timeout, on the process's
 * keep-alive agent. The timeout is also
 * re-applied to every derived session, because the SDK's `withAdditionalHeaders` (used by
 * `withAsUserHeader`) forgets it. Retries of 429s, 5xx and network errors are logged and counted
 * (box/box-retries.ts) unless `retry.onRetry` says otherwise; every answer is counted (`retry.onResponse`).
 * With a `rateBudget`, each request first waits for its Box user's turn, and a 429 slows that user down.
 */
export function createNetworkSession(
  config: Pick<Config, 'box'>,
  options: {
    retry?: RetryAfterStrategyOptions;
    timeoutMs?: number;
    connectorId?: string;
    rateBudget?: UserRateBudget;
  } = {},
): NetworkSession {
  const timeoutConfig = { timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
  const pacing =
    options.rateBudget?.enabled === true
      ? { budget: options.rateBudget, connectorId: options.connectorId ?? '' }
      : undefined;
  const onResponse = options.retry?.onResponse ?? countBoxRequest;
  return new NetworkSession({
    baseUrls: boxBaseUrls(config),
    retryStrategy: new RetryAfterStrategy({
      onRetry: logAndCountBoxRetry(),
      ...(options.connectorId !== undefined && { connectorId: options.connectorId }),
      ...options.retry,
      onResponse: pacing
        ? (fetchOptions, response) => {
            onResponse(fetchOptions, response);
            if (response.status === 429)
              pacing.budget.rateLimited(
                budgetKey(pacing.connectorId, fetchOptions),
                retryAfterHeaderMs(response.headers),
              );
          }
        : onResponse,
    }),
    networkClient: new ConnectorNetworkClient(new BoxNetworkClient({}), timeoutConfig, pacing),
    timeoutConfig,
    agent: keepAliveAgent(),
  });
}

/** The rate budget's key of a request: the connector and the Box user it acts as. */
function budgetKey(connectorId: string, options: Parameters<typeof actingUserOf>[0]): string {
  return userBudgetKey(connectorId, actingUserOf(options));
}

/** The rate budget's key of a connector's Box user ('admin': the connector's own account). */
export function userBudgetKey(connectorId: string, userId: string): string {
  return `${connectorId}/${userId}`;
}

/**
 * Exchanges an OAuth authorization code (POST {baseUrl}/oauth2/token) and stores the tokens sealed in
 * the vault. Nothing is returned: tokens never leave the box/ layer.
 */
export async function exchangeAuthorizationCode(
  opts: BoxConnectionOptions & { code: string },
): Promise<void> {
  const app = boxAppFor(opts.config, opts.dataCenter);
  const token = await requestTokens(tokenSession(opts.config, opts.connectorId), app, {
    grantType: 'authorization_code',
    code: opts.code,
  });
  await opts.vault.save(opts.connectorId, token);
}

/** A box-node-sdk BoxClient for the connector: tokens from the vault, serialized refresh, retries, timeouts. */
export function createBoxClient(opts: BoxClientOptions): ConnectedBoxClient {
  const connectorAuth = new ConnectorAuth({
    ...opts.auth,
    connectorId: opts.connectorId,
    app: boxAppFor(opts.config, opts.dataCenter),
    vault: opts.vault,
    tokenSession: tokenSession(opts.config, opts.connectorId),
  });
  const networkSession = createNetworkSession(opts.config, {
    retry: opts.retry,
    timeoutMs: opts.requestTimeoutMs,
    connectorId: opts.connectorId,
    rateBudget: opts.rateBudget,
  });
  const client = new BoxClient({ auth: connectorAuth, networkSession });
  return Object.assign(client, { connectorAuth });
}

/**
 * Disconnect: revokes the connector's grant at Box (POST {baseUrl}/oauth2/revoke), then deletes the tokens
 * from the vault whatever the revoke did. Never throws for a failed revoke; says whether it worked.
 */
export async function revokeConnectorTokens(
  opts: BoxConnectionOptions,
): Promise<{ revoked: boolean; problem?: string }> {
  try {
    const stored = await opts.vault.load(opts.connectorId);
    if (!stored) return { revoked: false, problem: 'no tokens were stored' };
    await revokeToken(
      tokenSession(opts.config, opts.connectorId),
      boxAppFor(opts.config, opts.dataCenter),
      stored.refreshToken,
    );
    return { revoked: true };
  } catch (err) {
    return { revoked: false, problem: err instanceof Error ? err.message : String(err) };
  } finally {
    await opts.vault.delete(opts.connectorId);
  }
}

function tokenSession(config: Pick<Config, 'box'>, connectorId: string): NetworkSession {
  return createNetworkSession(config, {
    connectorId,
    retry: { maxAttempts: 3, maxDelayMs: 5_000, maxRetryAfterMs: 10_000 },
    timeoutMs: TOKEN_REQUEST_TIMEOUT_MS,
  });
}

/**
 * Wraps the SDK's network client: waits for the Box user's turn in the rate budget, restores the timeout
 * on sessions that lost it, and gives each request its own view of ConnectorAuth so a 401 knows which
 * token version it had sent. (The SDK's retries of a request go on inside `inner`, after Box's
 * `retry-after`.)
 */
class ConnectorNetworkClient implements NetworkClient {
  constructor(
    private readonly inner: BoxNetworkClient,
    private readonly timeoutConfig: { timeoutMs: number },
    private readonly pacing?: { budget: UserRateBudget; connectorId: string },
  ) {}

  async fetch(options: FetchOptionsInput): Promise<FetchResponse> {
    const session = options.networkSession;
    if (this.pacing)
      await this.pacing.budget.take(budgetKey(this.pacing.connectorId, options), {
        urgent: urgentBoxCalls.getStore() === true,
        ...(options.cancellationToken && { signal: options.cancellationToken }),
      });
    try {
      return await this.inner.fetch({
        ...options,
        auth: options.auth instanceof ConnectorAuth ? options.auth.forRequest() : options.auth,
        networkSession:
          session && !session.timeoutConfig ? session.withTimeoutConfig(this.timeoutConfig) : session,
      } as Parameters<BoxNetworkClient['fetch']>[0]);
    } catch (err) {
      throw err instanceof BoxApiError ? withoutSecrets(err) : err;
    }
  }
}

/**
 * The SDK's BoxApiError keeps the request's Authorization header and form body (client secret, refresh
 * token) in plain fields, which loggers that copy an error's properties would print: blank them.
 */
function withoutSecrets(err: BoxApiError): BoxApiError {
  const sanitizer = err.dataSanitizer;
  const { requestInfo, responseInfo } = err;
  const clean = new BoxApiError({
    message: err.message,
    timestamp: err.timestamp,
    error: err.error,
    requestInfo: {
      ...requestInfo,
      headers: sanitizer.sanitizeHeaders(requestInfo.headers),
      body:
        typeof requestInfo.body === 'string'
          ? sanitizer.sanitizeStringBody(requestInfo.body, requestInfo.contentType)
          : undefined,
    },
    responseInfo: { ...responseInfo, headers: sanitizer.sanitizeHeaders(responseInfo.headers) },
    dataSanitizer: sanitizer,
  });
  clean.stack = err.stack;
  return clean;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
