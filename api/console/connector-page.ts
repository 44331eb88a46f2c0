import type { ApiTestCheck, ApiTestReport } from '../../domain/connector-status';
import type { ConnectorDetails } from '../connectors-service';
import { badge, statusTone, type Tone } from './apps-pages';
import { csrfField, html, join, type Html } from './pages';
import { utc } from './send-page';

/** Statuses during which the connector page refreshes itself (no script: a meta refresh). */
const IN_PROGRESS_STATUSES = new Set(['AwaitingAuthorization', 'Authorizing', 'RunningApiTest']);

/**
 * Whether the connector page shows something still moving, so that it refreshes itself: an authorization
 * or API test under way, a running backfill, or a connected connector whose first scan pass is not done.
 */
export function stillMoving(d: ConnectorDetails): boolean {
  return (
    IN_PROGRESS_STATUSES.has(d.status) ||
    d.details?.backfill?.state === 'running' ||
    (d.status === 'Connected' && d.scan?.lastPassCompletedAt === undefined)
  );
}

/** A check of the API test as the page shows it: a failed check of a co-admin's test is a warning. */
export function checkVerdict(check: ApiTestCheck, report: ApiTestReport): 'passed' | 'warning' | 'failed' {
  if (check.passed) return 'passed';
  return report.outcome === 'failed' ? 'failed' : 'warning';
}

/** The connector page: status, API test, backfill and scan progress, webhook and event-stream health. */
export function connectorBody(
  d: ConnectorDetails,
  input: { canAct: boolean; csrf: string; notice?: string },
): Html {
  const s = d.details;
  const tone = statusTone(d.status, s?.apiTest);
  const nextStep = s?.nextStep ? html`<p class="notice" id="next-step">${s.nextStep}</p>` : html``;
  const notice = input.notice ? html`<p class="notice" id="notice">${input.notice}</p>` : html``;
  return html`${notice}
    <p>${badge(d.status, tone, 'status')} <span id="status-message">${d.message}</span></p>
    ${nextStep}
    ${d.live ? html`` : html`<p id="not-live">Its workflow did not answer: the stored record is shown.</p>`}
    <p><a id="refresh" href="/console/apps/${d.id}">Refresh</a></p>
    <dl>
      <dt>Data centre</dt>
      <dd id="data-center">${d.dataCenter}</dd>
      <dt>Box enterprise</dt>
      <dd id="enterprise">
        ${s?.apiTest?.enterprise ? `${s.apiTest.enterprise.name} (${s.apiTest.enterprise.id})` : (d.enterpriseId ?? 'not known yet')}
      </dd>
      <dt>Authorized as</dt>
      <dd id="authorized-as">
        ${d.authorizedLogin ? `${d.authorizedLogin} (${d.authorizedRole ?? 'unknown role'})` : 'nobody yet'}
      </dd>
      <dt>Connected</dt>
      <dd>${s?.connectedAt ? utc(new Date(s.connectedAt)) : 'not yet'}</dd>
      <dt>Connector id</dt>
      <dd><code>${d.id}</code></dd>
    </dl>
    ${apiTestSection(s?.apiTest)} ${backfillSection(d)} ${scanSection(d)} ${webhookSection(d)}
    ${eventStreamSection(d)} ${actions(d, input)}`;
}

function apiTestSection(report: ApiTestReport | undefined): Html {
  if (!report)
    return html`<h2>API test</h2>
      <p id="api-test-none">Runs once a Box admin has authorized connect-box.</p>`;
  const rows = report.checks.map((c) => {
    const verdict = checkVerdict(c, report);
    return html`<tr class="check" data-verdict="${verdict}">
      <td>${c.name}</td>
      <td><span class="tone check-${verdict}">${verdict}</span></td>
      <td>${c.message}</td>
    </tr>`;
  });
  const outcome: Tone =
    report.outcome === 'passed' ? 'ok' : report.outcome === 'failed' ? 'error' : 'warning';
  return html`<h2>API test</h2>
    <p>
      ${badge(report.outcome, outcome, 'api-test-outcome')}
      <span id="api-test-summary">${report.summary}</span>
      <small>(${utc(new Date(report.testedAt))})</small>
    </p>
    <table id="api-test">
      <thead>
        <tr>
          <th>Check</th>
          <th>Result</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        ${join(rows)}
      </tbody>
    </table>`;
}

function backfillSection(d: ConnectorDetails): Html {
  const b = d.details?.backfill;
  if (!b)
    return html`<h2>Backfill (the 7 days before the connection)</h2>
      <p id="backfill-none">Starts when the connector is connected.</p>`;
  const bar =
    b.state === 'running'
      ? html`<progress id="backfill-progress" data-state="running">running</progress>`
      : html`<progress
          id="backfill-progress"
          data-state="${b.state === 'finished' ? 'complete' : 'failed'}"
          value="1"
          max="1"
        >
          ${b.state}
        </progress>`;
  return html`<h2>Backfill (the 7 days before the connection)</h2>
    <p>
      ${bar} <span id="backfill-message">${b.message}</span> (<span id="backfill-imported"
        >${b.imported}</span
      >
      events imported)
    </p>`;
}

function scanSection(d: ConnectorDetails): Html {
  const scan = d.scan;
  if (!scan)
    return html`<h2>Scan</h2>
      <p id="scan-none">Starts when the connector is connected.</p>`;
  const complete = scan.state === 'waiting' && scan.lastPassCompletedAt !== undefined;
  const total = Math.max(scan.usersTotal, 1);
  const done = complete ? total : Math.min(scan.usersDone, total);
  const bar =
    scan.usersTotal === 0 && !complete
      ? html`<progress id="scan-progress" data-state="${scan.state}">starting</progress>`
      : html`<progress
          id="scan-progress"
          data-state="${complete ? 'complete' : scan.state}"
          value="${done}"
          max="${total}"
        >
          ${done} of ${total}
        </progress>`;
  return html`<h2>Scan</h2>
    <p>${bar} <span id="scan-message">${scan.message}</span></p>
    <dl>
      <dt>Pass</dt>
      <dd id="scan-pass">${scan.pass}</dd>
      <dt>Users walked</dt>
      <dd id="scan-users">${scan.usersDone} of ${scan.usersTotal}</dd>
      <dt>Files seen / inspected / unchanged</dt>
      <dd id="scan-files">${scan.filesSeen} / ${scan.inspected} / ${scan.skippedUnchanged}</dd>
      <dt>Findings</dt>
      <dd id="scan-findings">${scan.findings}</dd>
      <dt>Priority rescans</dt>
      <dd>${scan.priorityScanned}</dd>
      <dt>Last complete pass</dt>
      <dd id="scan-last-pass">
        ${scan.lastPassCompletedAt ? utc(new Date(scan.lastPassCompletedAt)) : 'none yet'}
      </dd>
    </dl>`;
}

/** Webhook health: what the store holds (registered, pending) and the connector's last check. */
export function webhookTone(d: ConnectorDetails): { tone: Tone; message: string } {
  const w = d.webhooks;
  if (d.status !== 'Connected')
    return { tone: 'off', message: `${w.registered} webhook(s) registered; the connector is not connected.` };
  if (w.problem) return { tone: 'error', message: `The last check found a problem: ${w.problem}` };
  if (w.pendingDeliveries > 0)
    return {
      tone: 'warning',
      message: `${w.pendingDeliveries} delivery(ies) received but not yet passed to the connector (retried by the sweeper).`,
    };
  if (w.registered === 0)
    return {
      tone: 'warning',
      message:
        'No webhook is registered (no top-level folder in scope yet): the event stream covers activity.',
    };
  return { tone: 'ok', message: `${w.registered} webhook(s) registered, no delivery pending.` };
}

function webhookSection(d: ConnectorDetails): Html {
  const { tone, message } = webhookTone(d);
  return html`<h2>Webhooks</h2>
    <p>
      ${badge(tone === 'ok' ? 'healthy' : tone === 'off' ? 'inactive' : tone === 'error' ? 'failing' : 'attention', tone, 'webhooks-health')}
      <span id="webhooks-message">${message}</span>
    </p>
    <p>
      <small
        >Registered: <span id="webhooks-registered">${d.webhooks.registered}</span>; pending deliveries:
        ${d.webhooks.pendingDeliveries}; last checked:
        ${d.webhooks.checkedAt ? utc(new Date(d.webhooks.checkedAt)) : 'not yet'}.</small
      >
    </p>`;
}

/** Event-stream health: read within a few poll intervals is healthy; a paused stream waits for a new authorization. */
export function streamTone(d: ConnectorDetails): { tone: Tone; message: string } {
  const e = d.eventStream;
  if (!e)
    return {
      tone: d.status === 'Connected' ? 'warning' : 'off',
      message:
        d.status === 'Connected'
          ? 'The event stream did not answer (starting, or no worker running).'
          : 'The event stream runs while the connector is connected.',
    };
  if (e.paused) return { tone: 'error', message: 'Paused: Box rejected the tokens; authorize again.' };
  if (e.lagSeconds === undefined) return { tone: 'pending', message: 'Starting: no read has returned yet.' };
  const late = e.lagSeconds * 1000 > 3 * e.pollIntervalMs + 60_000;
  return {
    tone: late ? 'warning' : 'ok',
    message: `Last read ${e.lagSeconds} s ago (reads every ${Math.round(e.pollIntervalMs / 1000)} s once caught up)${late ? ': late' : ''}.`,
  };
}

function eventStreamSection(d: ConnectorDetails): Html {
  const { tone, message } = streamTone(d);
  const e = d.eventStream;
  return html`<h2>Event stream</h2>
    <p>
      ${badge(tone === 'ok' ? 'healthy' : tone === 'off' ? 'inactive' : tone === 'error' ? 'paused' : 'attention', tone, 'stream-health')}
      <span id="stream-message">${message}</span>
    </p>
    ${
      e
        ? html`<p>
            <small
              >Position: <code id="stream-position">${e.streamPosition ?? 'not read yet'}</code>; reads:
              ${e.reads}; events recorded: ${e.recorded}; files sent to the scan: ${e.filesSignalled}; already
              delivered by webhooks: ${e.webhookDuplicates}.</small
            >
          </p>`
        : html``
    }`;
}

function actions(d: ConnectorDetails, input: { canAct: boolean; csrf: string }): Html {
  if (d.status === 'Disconnected') return html``;
  if (!input.canAct)
    return html`<p id="viewer-note">Re-authorizing and disconnecting need the admin role.</p>`;
  return html`<h2>Actions</h2>
    <form class="inline" method="post" action="/console/apps/${d.id}/authorize" id="reauthorize-form">
      ${csrfField(input.csrf)}<button id="reauthorize" type="submit">Re-authorize</button>
    </form>
    <a class="button" id="disconnect" href="/console/apps/${d.id}/disconnect">Disconnect…</a>`;
}
