import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { roleAllows } from '../../domain/roles';
import type { ConnectorRecord } from '../../store/connectors-repository';
import { ConnectorsRepository } from '../../store/connectors-repository';
import type { ApiApp } from '../api-app';
import { connectorParams } from '../api-app';
import { recordAudit } from '../audit';
import { createConnectorBody } from '../connectors-routes';
import { ConnectorsService, connectorViewOf } from '../connectors-service';
import { PROBLEMS, ProblemError } from '../problem';
import {
  APPS_STYLE,
  appsListBody,
  authorizeBody,
  connectFormBody,
  disconnectConfirmBody,
} from './apps-pages';
import { connectorBody, stillMoving } from './connector-page';
import type { ConsoleContext } from './console-routes';
import { html } from './pages';
import { csrfOf, sendConsolePage } from './send-page';

/** Seconds between refreshes of a connector page while something on it runs. */
const REFRESH_SECONDS = 2;

/** The form of step 1; checked against POST /api/connectors' own schema in the handler (to keep the values). */
const connectForm = z.object({
  instanceName: z.string().max(1000).default(''),
  dataCenter: z.string().max(100).default(''),
  _csrf: z.string().max(200).optional(),
});
const disconnectForm = z.object({
  confirm: z.string().max(10).optional(),
  _csrf: z.string().max(200).optional(),
});
/** What a redirect back to the list or a connector may say: a closed set, so a link cannot inject text. */
const NOTICES = {
  disconnecting: 'Disconnecting: its workflows are being cancelled, its webhooks removed, its token revoked.',
} as const;
const noticeQuery = z.object({ notice: z.enum(Object.keys(NOTICES) as ['disconnecting']).optional() });

/**
 * The console's Connected apps: the list of connectors with their status, a page per connector (the API
 * test's checks, backfill and scan progress, webhook and event-stream health), the Connect Box wizard
 * (name and data centre, then Box's consent page), re-authorization and disconnection. Every read and
 * action goes through ConnectorsService, as the /api routes do; a viewer sees, an admin acts. Actions are
 * audited under the API's action names (connector.create, connector.reauthorize, connector.disconnect).
 */
export function registerAppsRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  const connectors = new ConnectorsRepository(ctx.store.db);
  const service = new ConnectorsService({
    config: ctx.config,
    store: ctx.store,
    temporal: ctx.temporal,
    states: ctx.states,
    connectors,
  });

  const load = async (id: string): Promise<ConnectorRecord> => {
    const record = await connectors.get(id);
    if (!record) throw new ProblemError('not-found', `No connector with id '${id}'.`);
    return record;
  };

  /** Refuses (and audits) an action of a principal below admin. */
  const requireAdmin = async (req: FastifyRequest, action: string, target: string | null, what: string) => {
    const role = req.consoleSession!.user.role;
    if (roleAllows(role, 'admin')) return;
    await recordAudit(req, { action, outcome: 'denied', status: 403, target });
    throw new ProblemError('forbidden', `Only an admin can ${what}; you are signed in as a ${role}.`);
  };

  scope.get('/apps', { schema: { querystring: noticeQuery } }, async (req, reply) =>
    sendConsolePage(req, reply, {
      title: 'Connected apps',
      section: 'apps',
      body: html`${APPS_STYLE}${appsListBody(
        await service.list(),
        isAdmin(req),
        req.query.notice && NOTICES[req.query.notice],
      )}`,
    }),
  );

  scope.get('/apps/new', async (req, reply) => {
    if (!isAdmin(req))
      throw new ProblemError(
        'forbidden',
        `Only an admin can connect Box; you are signed in as a ${req.consoleSession!.user.role}.`,
      );
    return sendConnectForm(ctx, req, reply);
  });

  scope.post('/apps', { schema: { body: connectForm } }, async (req, reply) => {
    await requireAdmin(req, 'connector.create', null, 'connect Box');
    const { instanceName, dataCenter } = req.body;
    const parsed = createConnectorBody.safeParse({ instanceName, dataCenter });
    if (!parsed.success) {
      const errors = parsed.error.issues.map(
        (i) => `${i.path[0] === 'dataCenter' ? 'Data centre' : 'Instance name'}: ${i.message}.`,
      );
      await recordAudit(req, {
        action: 'connector.create',
        outcome: 'failed',
        status: 400,
        detail: { errors },
      });
      return sendConnectForm(ctx, req, reply.code(400), { instanceName, dataCenter, errors });
    }
    const detail = { instanceName: parsed.data.instanceName, dataCenter: parsed.data.dataCenter };
    let created;
    try {
      created = await service.create(parsed.data);
    } catch (err) {
      // Refusals the form can fix (no Box app for the data centre, a taken name) come back on the form.
      const fixable =
        err instanceof ProblemError && (err.code === 'invalid-request' || err.code === 'conflict');
      const status = err instanceof ProblemError ? statusOf(err) : 500;
      await recordAudit(req, { action: 'connector.create', outcome: 'failed', status, detail });
      if (!fixable) throw err;
      return sendConnectForm(ctx, req, reply.code(status), {
        instanceName,
        dataCenter,
        errors: [err.detail],
      });
    }
    const id = created.record.id;
    await recordAudit(req, { action: 'connector.create', outcome: 'ok', status: 200, target: id, detail });
    const { record, ...link } = created;
    return sendConsolePage(req, reply, {
      title: `Connect Box: ${record.instance_name}`,
      section: 'apps',
      body: html`${APPS_STYLE}${authorizeBody({ id, instanceName: record.instance_name }, link)}`,
    });
  });

  scope.get(
    '/apps/:id',
    { schema: { params: connectorParams, querystring: noticeQuery } },
    async (req, reply) => {
      const details = await service.details(await load(req.params.id));
      const csrf = csrfOf(req, reply);
      const running = stillMoving(details);
      return sendConsolePage(req, reply, {
        title: details.instanceName,
        section: 'apps',
        csrf,
        ...(running && { head: html`<meta http-equiv="refresh" content="${REFRESH_SECONDS}" />` }),
        body: html`${APPS_STYLE}${connectorBody(details, {
          canAct: isAdmin(req),
          csrf,
          notice: req.query.notice && NOTICES[req.query.notice],
        })}`,
      });
    },
  );

  scope.post('/apps/:id/authorize', { schema: { params: connectorParams } }, async (req, reply) => {
    const { id } = req.params;
    await requireAdmin(req, 'connector.reauthorize', id, 're-authorize a connector');
    const record = await load(id);
    let link;
    try {
      link = await service.reauthorize(record);
    } catch (err) {
      if (err instanceof ProblemError)
        await recordAudit(req, {
          action: 'connector.reauthorize',
          outcome: 'failed',
          status: statusOf(err),
          target: id,
        });
      throw err;
    }
    await recordAudit(req, { action: 'connector.reauthorize', outcome: 'ok', status: 200, target: id });
    return sendConsolePage(req, reply, {
      title: `Re-authorize: ${record.instance_name}`,
      section: 'apps',
      body: html`${APPS_STYLE}${authorizeBody({ id, instanceName: record.instance_name }, link)}`,
    });
  });

  scope.get('/apps/:id/disconnect', { schema: { params: connectorParams } }, async (req, reply) => {
    const { id } = req.params;
    if (!isAdmin(req))
      throw new ProblemError(
        'forbidden',
        `Only an admin can disconnect a connector; you are signed in as a ${req.consoleSession!.user.role}.`,
      );
    const record = await load(id);
    const csrf = csrfOf(req, reply);
    return sendConsolePage(req, reply, {
      title: `Disconnect ${record.instance_name}?`,
      section: 'apps',
      csrf,
      body: disconnectConfirmBody(connectorViewOf(record), csrf),
    });
  });

  scope.post(
    '/apps/:id/disconnect',
    { schema: { params: connectorParams, body: disconnectForm } },
    async (req, reply) => {
      const { id } = req.params;
      await requireAdmin(req, 'connector.disconnect', id, 'disconnect a connector');
      const record = await load(id);
      if (req.body.confirm !== 'yes') {
        const csrf = csrfOf(req, reply);
        return sendConsolePage(req, reply.code(400), {
          title: `Disconnect ${record.instance_name}?`,
          section: 'apps',
          csrf,
          body: html`<p class="error-text" id="form-errors" role="alert">
              Nothing was disconnected: confirm with the button below.
            </p>
            ${disconnectConfirmBody(connectorViewOf(record), csrf)}`,
        });
      }
      const changed = await service.disconnect(record, 'disconnected in the console');
      await recordAudit(req, {
        action: 'connector.disconnect',
        outcome: 'ok',
        status: 303,
        target: id,
        detail: { instanceName: record.instance_name, alreadyDisconnected: !changed },
      });
      return reply.redirect(`/console/apps/${id}${changed ? '?notice=disconnecting' : ''}`, 303);
    },
  );
}

function isAdmin(req: FastifyRequest): boolean {
  return roleAllows(req.consoleSession!.user.role, 'admin');
}

function sendConnectForm(
  ctx: ConsoleContext,
  req: FastifyRequest,
  reply: FastifyReply,
  input?: Parameters<typeof connectFormBody>[2],
): FastifyReply {
  const csrf = csrfOf(req, reply);
  const configured = new Set(Object.keys(ctx.config.box.apps));
  return sendConsolePage(req, reply, {
    title: 'Connect Box',
    section: 'apps',
    csrf,
    body: html`${APPS_STYLE}${connectFormBody(csrf, configured, input)}`,
  });
}

function statusOf(err: ProblemError): number {
  return err.extra.status ?? PROBLEMS[err.code].status;
}
