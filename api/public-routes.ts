import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../config/config';
import type { Store } from '../store/database';
import type { ApiApp } from './api-app';
import { escapeHtml } from './html-page';
import { registerOAuthCallbackRoute } from './oauth-callback-route';
import type { OAuthStateSigner } from './oauth-state';
import { PROBLEMS, PROBLEM_CODES, PROBLEM_MEDIA_TYPE, ProblemError, problemResponses } from './problem';
import type { RouteAccess } from './route-table';
import { registerWebhookRoute } from './webhooks-route';

/** What the public scope needs. */
export interface PublicRoutesDeps {
  config: Config;
  store: Store;
  temporal: Client;
  states: OAuthStateSigner;
  outcomeWaitMs?: number;
  instance?: string;
}

/**
 * The routes anyone may call, each listed by name in PUBLIC_ROUTES (api/route-table.ts): health, the OpenAPI
 * document, the problem-type pages, Box's OAuth redirect and Box's webhook deliveries.
 */
export function publicRoutes(deps: PublicRoutesDeps) {
  return async (scope: ApiApp): Promise<void> => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' satisfies RouteAccess };
      route.schema = { ...route.schema, security: [] };
    });

    scope.get(
      '/healthz',
      {
        schema: {
          summary: 'Health of the store and of Temporal',
          tags: ['operations'],
          response: {
            200: healthView,
            503: healthView,
          },
        },
      },
      async (req, reply) => {
        // Anyone may ask: say what is down, and keep why (addresses, driver messages) for the log.
        const check = async (what: string, probe: () => Promise<unknown>): Promise<'ok' | 'unavailable'> => {
          try {
            await probe();
            return 'ok';
          } catch (err) {
            req.log.warn({ err, what }, 'health check failed');
            return 'unavailable';
          }
        };
        const checks = {
          store: await check('store', () => sql`select 1`.execute(deps.store.db)),
          temporal: await check('temporal', () => deps.temporal.workflowService.getSystemInfo({})),
        };
        const ok = Object.values(checks).every((c) => c === 'ok');
        return reply
          .code(ok ? 200 : 503)
          .send({ status: ok ? 'ok' : 'degraded', checks, instance: deps.instance ?? '' });
      },
    );

    scope.get('/openapi.json', { schema: { summary: 'This document', tags: ['operations'] } }, () =>
      openApiDocument(scope),
    );

    scope.get(
      '/problems/:code',
      {
        schema: {
          summary: 'What a problem type means (the `type` of every error response)',
          tags: ['operations'],
          params: z.strictObject({ code: z.string().max(64) }),
          response: { 200: z.string(), ...problemResponses(404) },
        },
      },
      async (req, reply) => {
        const code = PROBLEM_CODES.find((c) => c === req.params.code);
        if (!code) throw new ProblemError('not-found', 'No such problem type.');
        const { status, title } = PROBLEMS[code];
        return reply
          .type('text/html; charset=utf-8')
          .send(
            `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
              `<body><h1>${escapeHtml(title)}</h1><p>Problem type <code>/problems/${code}</code>, HTTP ${status}. ` +
              `The <code>detail</code> of each response says what happened and what to do next; see docs/security.md.</p></body></html>`,
          );
      },
    );

    registerOAuthCallbackRoute(scope, deps);
    await registerWebhookRoute(scope, deps);
  };
}

const healthView = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ store: z.enum(['ok', 'unavailable']), temporal: z.enum(['ok', 'unavailable']) }),
  instance: z.string().describe('Who answers: the id its launcher gave this API process (empty without one)'),
});

type OpenApi = {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: object }> }>>;
};

/** The generated OpenAPI document, with error responses under their real media type. */
function openApiDocument(app: ApiApp): unknown {
  const doc = structuredClone(app.swagger()) as OpenApi;
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const content = response.content as Record<string, unknown> | undefined;
        if (Number(status) >= 400 && content?.['application/json']) {
          response.content = { [PROBLEM_MEDIA_TYPE]: content['application/json'] };
        }
      }
    }
  }
  return doc;
}
