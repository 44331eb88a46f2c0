import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { workflowIds } from '../common/workflow-ids';
import type { Config } from '../config/config';
import {
  AUTHORIZE_REJECTED,
  type AuthorizeResult,
  authorizeUpdate,
  oauthAuthorizedSignal,
  statusQuery,
} from '../workflows/connect-box-messages';
import type { ConnectorStatus } from '../domain/connector-status';
import type { ApiApp } from './api-app';
import { htmlPage } from './html-page';
import { OAuthStateError, type OAuthStateSigner } from './oauth-state';

/** What the callback needs. */
export interface OAuthCallbackDeps {
  config: Pick<Config, 'api'>;
  temporal: Client;
  states: OAuthStateSigner;
  /** How long the page waits for the API test before answering "still running" (default 60 s). */
  outcomeWaitMs?: number;
}

/** Longest authorization code accepted (Box's are 32 characters). */
const MAX_CODE = 512;
/** Longest state accepted (ours are about 150 characters). */
const MAX_STATE = 2048;

/** The callback's query, as documented; the handler checks each field itself to answer with a page. */
const callbackQuery = z.object({
  code: z
    .string()
    .max(MAX_CODE)
    .optional()
    .describe('The authorization code (absent when Box reports an error)'),
  state: z.string().max(MAX_STATE).optional().describe('The signed state of the authorize URL'),
  error: z.string().max(200).optional().describe("Box's error, e.g. access_denied"),
  error_description: z.string().max(1000).optional(),
});

const IN_PROGRESS = new Set(['Authorizing', 'RunningApiTest']);
const FRESH_LINK = 'Request a fresh authorize URL (POST /api/connectors/:id/authorize) and try again.';

type PageContent = Parameters<typeof htmlPage>[0];

/** The first value of a query parameter sent once or several times. */
function single(value: unknown): string | undefined {
  const v = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof v === 'string' ? v : undefined;
}

/**
 * GET /oauth/box/callback: where Box sends the admin's browser back. Checks the code's shape first (a
 * response without a usable code never spends the link), then the signed, single-use, expiring `state`,
 * runs the connector's `authorize` update (code exchange and API test; at most `outcomeWaitMs`) and shows
 * its outcome in words: connected, connected with a warning, or what went wrong and what to do next. A
 * connector refusing the update (disconnected, already connected, busy) gets 409; one whose run predates
 * the update gets the `oauthAuthorized` signal and its status is polled. Every answer is an HTML page.
 */
export function registerOAuthCallbackRoute(app: ApiApp, deps: OAuthCallbackDeps): void {
  app.get(
    '/oauth/box/callback',
    {
      schema: {
        summary: "Box's OAuth redirect target: shows the outcome of the authorization (HTML page)",
        tags: ['oauth'],
        querystring: callbackQuery,
        response: {
          200: z.string().describe('Outcome page (text/html)'),
          400: z.string().describe('Bad, expired, replayed or foreign state, or no usable code (text/html)'),
          403: z.string().describe('Access denied in Box (text/html)'),
          409: z
            .string()
            .describe(
              'The connector refused the authorization: disconnected, already connected or busy (text/html)',
            ),
          503: z.string().describe('The connector could not be reached (text/html)'),
        },
      },
      attachValidation: true,
      onRequest: app.rateLimit({ max: deps.config.api.callbackRateLimitPerMinute, timeWindow: 60_000 }),
    },
    async (req, reply) => {
      // Set once the state is verified and spent: the link back then goes to that connector's console page.
      let connectorId = '';
      const page = (status: 200 | 400 | 403 | 409 | 503, content: PageContent) =>
        reply
          .code(status)
          .type('text/html; charset=utf-8')
          .send(htmlPage({ ...content, next: consoleLink(connectorId) }));
      const raw = req.query as Record<string, unknown>;
      const state = single(raw.state);
      const code = single(raw.code);
      const error = single(raw.error)?.slice(0, 200);
      const errorDescription = single(raw.error_description)?.slice(0, 1000);

      if (!state || state.length > MAX_STATE) {
        return page(400, {
          ok: false,
          title: 'Authorization link incomplete',
          message: 'Box sent no valid state with this response.',
          nextStep: 'Start again from a fresh authorize URL.',
        });
      }
      if (error) {
        // Nothing is granted: verify the state (so the page is about our link) but do not spend it.
        const refused = await refusedState(() => deps.states.verify(state));
        if (refused) return page(400, refused);
        const denied = error === 'access_denied';
        return page(denied ? 403 : 400, {
          ok: false,
          title: denied ? 'Access was denied in Box' : 'Box reported an error',
          message: denied
            ? 'Nothing was connected: the Box account did not allow access.'
            : `Box answered '${error}'${errorDescription ? `: ${errorDescription}` : ''}.`,
          nextStep: 'Open the authorize URL again and click Allow with a Box admin account.',
        });
      }
      if (!code) {
        return page(400, {
          ok: false,
          title: 'Authorization incomplete',
          message: 'Box sent no authorization code. The authorization link was not used up.',
          nextStep: 'Open the authorize URL again.',
        });
      }
      if (code.length > MAX_CODE || !/^[A-Za-z0-9._~+/=-]+$/.test(code)) {
        return page(400, {
          ok: false,
          title: 'Authorization code not valid',
          message: `The authorization code is not one Box issues (at most ${MAX_CODE} letters, digits and URL-safe signs). The authorization link was not used up.`,
          nextStep: 'Open the authorize URL again.',
        });
      }

      const refused = await refusedState(async () => ({ connectorId } = await deps.states.consume(state)));
      if (refused) return page(400, refused);

      const handle = deps.temporal.workflow.getHandle(workflowIds.connector(connectorId));
      const waitMs = deps.outcomeWaitMs ?? 60_000;
      let before: ConnectorStatus;
      try {
        before = await handle.query(statusQuery);
      } catch {
        return page(503, UNREACHABLE);
      }
      const answer = await authorizeWithin(deps.temporal, handle, code, waitMs);
      if (answer.kind === 'done') return page(200, outcomePage(answer.result.status));
      if (answer.kind === 'rejected') {
        return page(409, {
          ok: false,
          title: 'Authorization not used',
          message: answer.message,
          nextStep: 'Follow the connector status with GET /api/connectors/:id.',
        });
      }
      if (answer.kind === 'timedOut') return page(200, outcomePage(undefined));
      if (answer.kind === 'unreachable') return page(503, UNREACHABLE);
      // A connector run by code from before the update: the signal, then the status until the outcome.
      try {
        await handle.signal(oauthAuthorizedSignal, { code });
      } catch {
        return page(503, UNREACHABLE);
      }
      const outcome = await waitForOutcome(
        () => handle.query(statusQuery),
        before.authorizationAttempts,
        waitMs,
      );
      return page(200, outcomePage(outcome));
    },
  );
}

/**
 * The link back to the console: the connector's page when the signed state named it, else the list. Built
 * from the verified state only (never from a query parameter), so the page is no open redirect.
 */
function consoleLink(connectorId: string): { href: string; text: string } {
  return /^[A-Za-z0-9-]{1,64}$/.test(connectorId)
    ? { href: `/console/apps/${connectorId}`, text: 'Back to the connector in the console' }
    : { href: '/console/apps', text: 'Back to Connected apps in the console' };
}

const UNREACHABLE: PageContent = {
  ok: false,
  title: 'connect-box is not ready',
  message: 'The connector could not be reached.',
  nextStep: 'Check that the worker runs, then authorize again.',
};

type UpdateAnswer =
  | { kind: 'done'; result: AuthorizeResult }
  | { kind: 'rejected'; message: string }
  | { kind: 'unsupported' }
  | { kind: 'timedOut' }
  | { kind: 'unreachable' };

/**
 * Runs the `authorize` update (code exchange and API test) and waits at most `waitMs` for its result.
 * A connector whose run predates the update has no handler for it: `unsupported` (use the signal).
 */
async function authorizeWithin(
  temporal: Client,
  handle: WorkflowHandle,
  code: string,
  waitMs: number,
): Promise<UpdateAnswer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), waitMs);
  try {
    const result = await temporal.withAbortSignal(abort.signal, () =>
      handle.executeUpdate(authorizeUpdate, { args: [{ code }] }),
    );
    return { kind: 'done', result };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure && cause.type === AUTHORIZE_REJECTED)
        return { kind: 'rejected', message: cause.message };
      if (cause?.message.startsWith('No registered handler for update')) return { kind: 'unsupported' };
    }
    return abort.signal.aborted ? { kind: 'timedOut' } : { kind: 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/** The page for a refused state, or undefined when `check` accepted it. */
async function refusedState(check: () => Promise<unknown>): Promise<PageContent | undefined> {
  try {
    await check();
    return undefined;
  } catch (err) {
    if (!(err instanceof OAuthStateError)) throw err;
    const titles: Record<OAuthStateError['reason'], string> = {
      malformed: 'Authorization link damaged',
      forged: 'Authorization refused: not our link',
      expired: 'Authorization link expired',
      replayed: 'Authorization link already used',
      unknown: 'Authorization link unknown',
    };
    return { ok: false, title: titles[err.reason], message: err.message, nextStep: FRESH_LINK };
  }
}

async function waitForOutcome(
  read: () => Promise<ConnectorStatus>,
  attemptsBefore: number,
  waitMs: number,
): Promise<ConnectorStatus | undefined> {
  const deadline = Date.now() + waitMs;
  let last: ConnectorStatus | undefined;
  while (Date.now() < deadline) {
    last = await read().catch(() => last);
    if (last && last.authorizationAttempts > attemptsBefore && !IN_PROGRESS.has(last.status)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

function outcomePage(s: ConnectorStatus | undefined): PageContent {
  if (!s) {
    return {
      ok: true,
      title: 'Authorization received',
      message: 'The API test is still running.',
      nextStep: 'Follow the connector status with GET /api/connectors/:id or in the Temporal Web UI.',
    };
  }
  const details = s.apiTest?.checks.map((c) => `${c.passed ? 'Passed' : 'Failed'}: ${c.name}: ${c.message}`);
  if (s.status === 'Connected') {
    const warning = s.apiTest?.outcome === 'passedWithWarning';
    return {
      ok: true,
      title: warning ? 'Box was connected, with a warning' : 'Box was successfully connected',
      message: s.message,
      nextStep: s.nextStep,
      details,
    };
  }
  return {
    ok: false,
    title: s.status === 'ApiTestFailed' ? 'The API test failed' : 'Box was not connected',
    message: s.message,
    nextStep: s.nextStep,
    details,
  };
}
