import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIds } from '../common/workflow-ids';
import { oauthAuthorizedSignal, statusQuery } from '../workflows/connect-box-messages';
import type { ConnectorStatus } from '../workflows/connector-status';
import { htmlPage } from './html-page';
import { OAuthStateError, type OAuthStateSigner } from './oauth-state';

/** What the callback needs. */
export interface OAuthCallbackDeps {
  temporal: Client;
  states: OAuthStateSigner;
  /** How long the page waits for the API test before answering "still running" (default 20 s). */
  outcomeWaitMs?: number;
}

const callbackQuery = z.object({
  code: z.string().min(1).max(512).optional(),
  state: z.string().min(1).max(2048).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

const IN_PROGRESS = new Set(['Authorizing', 'RunningApiTest']);

/**
 * GET /oauth/box/callback: where Box sends the admin's browser back. Checks the signed, single-use,
 * expiring `state`, signals `oauthAuthorized`, waits briefly for the API test and shows the outcome in
 * words: connected, connected with a warning, or what went wrong and what to do next.
 */
export function registerOAuthCallbackRoute(app: FastifyInstance, deps: OAuthCallbackDeps): void {
  app.get('/oauth/box/callback', async (req, reply) => {
    const page = (code: number, content: Parameters<typeof htmlPage>[0]) =>
      reply.code(code).type('text/html; charset=utf-8').send(htmlPage(content));
    const parsed = callbackQuery.safeParse(req.query);
    if (!parsed.success || !parsed.data.state) {
      return page(400, {
        ok: false,
        title: 'Authorization link incomplete',
        message: 'Box sent no valid state with this response.',
        nextStep: 'Start again from a fresh authorize URL.',
      });
    }
    const { code, state, error, error_description: errorDescription } = parsed.data;
    let connectorId: string;
    try {
      ({ connectorId } = await deps.states.consume(state));
    } catch (err) {
      if (!(err instanceof OAuthStateError)) throw err;
      return page(400, {
        ok: false,
        title: 'Authorization refused',
        message: err.message,
        nextStep: 'Request a fresh authorize URL (POST /api/connectors/:id/authorize) and try again.',
      });
    }
    if (error) {
      const denied = error === 'access_denied';
      return page(denied ? 403 : 400, {
        ok: false,
        title: denied ? 'Access was denied in Box' : 'Box reported an error',
        message: denied
          ? 'Nothing was connected: the Box account did not allow access.'
          : `Box answered '${error}'${errorDescription ? `: ${errorDescription}` : ''}.`,
        nextStep: 'Request a fresh authorize URL and click Allow with a Box admin account.',
      });
    }
    if (!code)
      return page(400, {
        ok: false,
        title: 'Authorization incomplete',
        message: 'Box sent no authorization code.',
        nextStep: 'Start again from a fresh authorize URL.',
      });

    const handle = deps.temporal.workflow.getHandle(workflowIds.connector(connectorId));
    let before: ConnectorStatus;
    try {
      before = await handle.query(statusQuery);
      await handle.signal(oauthAuthorizedSignal, { code });
    } catch {
      return page(503, {
        ok: false,
        title: 'connect-box is not ready',
        message: 'The connector could not be reached.',
        nextStep: 'Check that the worker runs, then authorize again.',
      });
    }
    const outcome = await waitForOutcome(
      () => handle.query(statusQuery),
      before.authorizationAttempts,
      deps.outcomeWaitMs ?? 20_000,
    );
    return page(200, outcomePage(outcome));
  });
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

function outcomePage(s: ConnectorStatus | undefined): Parameters<typeof htmlPage>[0] {
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
