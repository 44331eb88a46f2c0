/**
 * The main job, end to end: connect a Box enterprise (box-sim by default) through the OAuth consent page,
 * show the API test, the backfill and the full scan with a progress bar, then make a live edit and a
 * share and show them rescanned within seconds, and finish with a findings summary and where to look.
 * Every step checks its outcome; a failed step throws (the caller exits non-zero).
 */
import type { ApiClient } from './demo-client';
import { clickThroughConsent } from '../box-sim/consent-client';

/** Where the demo runs. */
export interface DemoOptions {
  api: ApiClient;
  /** box-sim's base URL, or undefined for a real Box enterprise (then a person authorizes in a browser). */
  simUrl?: string;
  uiUrl: string;
  namespace: string;
  instanceName: string;
  /** True when no person watches (CI): no progress-bar redraws. */
  ci: boolean;
  /** The worker runs the demo's policies (scripts/demo-policies.yaml): show the governance actions. */
  governance?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  onTick?: (v: T) => void,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    onTick?.(value);
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(500);
  }
}

function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
}

/** Runs the demo; resolves with the connector id. */
export async function runDemo(o: DemoOptions): Promise<string> {
  const { api } = o;
  const step = (n: number, text: string) => console.log(`\n${n}. ${text}`);

  // box-sim keeps no state across restarts: connectors of an earlier run point at an enterprise that is
  // gone (dead tokens, webhook ids that the new box-sim hands out again), so they are disconnected first.
  // Against real Box only an earlier connector of the same name is.
  const stale = (
    await api.call<{ items: Array<{ id: string; instanceName: string; status: string }> }>(
      'GET',
      '/api/connectors',
    )
  ).items.filter(
    (c) => c.status !== 'Disconnected' && (o.simUrl !== undefined || c.instanceName === o.instanceName),
  );
  if (stale.length > 0) console.log(`disconnecting ${stale.length} connector(s) of an earlier run ...`);
  for (const c of stale) await api.call('DELETE', `/api/connectors/${c.id}`);
  const ids = new Set(stale.map((c) => c.id));
  await until(
    'the earlier connectors to disconnect',
    () => api.call('GET', '/api/connectors'),
    (r: any) => !r.items.some((c: any) => ids.has(c.id) && c.status !== 'Disconnected'),
    120_000,
  );

  step(1, `Create the connector '${o.instanceName}' (POST /api/connectors)`);
  const created = await api.call<{ id: string; authorizeUrl: string }>('POST', '/api/connectors', {
    instanceName: o.instanceName,
    dataCenter: 'US1',
  });
  console.log(`   connector ${created.id}: AwaitingAuthorization\n   authorize URL: ${created.authorizeUrl}`);

  step(2, 'OAuth with a Box admin account');
  if (o.simUrl) {
    const manifest = (await (await fetch(`${o.simUrl}/_sim/manifest`)).json()) as {
      users: Array<{ login: string; role: string }>;
    };
    const admin = manifest.users.find((u) => u.role === 'admin');
    if (!admin) throw new Error('box-sim lists no admin account');
    console.log(`   box-sim consent page: choosing ${admin.login}, clicking Allow`);
    const redirect = await clickThroughConsent(created.authorizeUrl, admin.login);
    const page = await (await fetch(`${api.baseUrl}${redirect.pathname}${redirect.search}`)).text();
    const outcome = /<h1 id="outcome">([^<]*)<\/h1>/.exec(page)?.[1] ?? '(no outcome on the page)';
    console.log(`   callback page says: "${outcome}"`);
  } else {
    console.log('   Open the authorize URL above in a browser and allow access with a Box admin account.');
  }
  const connected = await until(
    'the connector to be Connected',
    () => api.call('GET', `/api/connectors/${created.id}`),
    (c: any) => c.status === 'Connected' || c.status === 'ApiTestFailed',
    o.simUrl ? 60_000 : 15 * 60_000,
  );
  if (connected.status !== 'Connected')
    throw new Error(`The connector is ${connected.status}: ${connected.message}`);

  step(3, `API test: ${connected.details.apiTest.outcome}`);
  for (const c of connected.details.apiTest.checks)
    console.log(`   ${c.passed ? 'passed' : 'FAILED'}  ${c.name}: ${c.message}`);

  step(4, 'Backfill: the 7 days of activity before the connection');
  const backfilled = await until(
    'the backfill',
    () => api.call('GET', `/api/connectors/${created.id}`),
    (c: any) => c.details?.backfill?.state === 'finished',
    10 * 60_000,
  );
  console.log(`   ${backfilled.details.backfill.message}  (GET /api/connectors/${created.id}/events)`);

  step(5, 'Full scan of every file of every user');
  let lastLine = '';
  const scanned = await until(
    'the first full scan pass',
    () => api.call('GET', `/api/connectors/${created.id}`),
    (c: any) => Boolean(c.scan?.lastPassCompletedAt),
    30 * 60_000,
    (c: any) => {
      const p = c.scan;
      if (!p) return;
      const line = `   ${bar(p.usersTotal ? p.usersDone / p.usersTotal : 0)}  users ${p.usersDone}/${p.usersTotal}  files ${p.filesSeen}  inspected ${p.inspected}  findings ${p.findings}`;
      if (o.ci) {
        if (line !== lastLine) console.log(line);
      } else process.stdout.write(`\r${line}`);
      lastLine = line;
    },
  );
  if (!o.ci) process.stdout.write('\n');
  console.log(
    `   pass complete: ${scanned.scan.filesSeen} files, ${scanned.scan.inspected} inspected, ${scanned.scan.findings} findings`,
  );

  if (o.simUrl) {
    step(6, 'Live activity: an edit that adds sensitive data, then a public share link');
    const files = (
      (await (await fetch(`${o.simUrl}/_sim/manifest/files?limit=10000&activeOnly=true`)).json()) as {
        entries: any[];
      }
    ).entries;
    const clean = (f: any) =>
      Object.values((f.planted ?? {}) as Record<string, number>).every((n) => n === 0);
    const target = files.find(
      (f) =>
        ['txt', 'md', 'log'].includes(f.extension) &&
        f.sharedLinkAccess === 'none' &&
        f.collaborators.external.length === 0 &&
        clean(f),
    );
    if (!target) throw new Error('box-sim has no clean .txt file to edit');
    const findingsOf = async () =>
      (await api.all(`/api/connectors/${created.id}/findings?status=open`)).filter(
        (f: any) => f.fileId === target.id,
      );
    console.log(
      `   file ${target.id} ${target.path} (owner ${target.ownerLogin}): ${(await findingsOf()).length} open findings`,
    );

    const edited = Date.now();
    await simControl(o.simUrl, `/_sim/files/${target.id}/edit`, {
      text: 'Payroll correction for J. Smith\nSSN: 536-22-8172\nCorporate card: 4556 7375 8689 9855\n',
    });
    const afterEdit = await until('the edited file to be rescanned', findingsOf, (f) => f.length > 0, 60_000);
    console.log(
      `   edit   -> rescanned in ${((Date.now() - edited) / 1000).toFixed(1)} s: ${afterEdit.map((f: any) => f.policyId).join(', ')}`,
    );

    const shared = Date.now();
    await simControl(o.simUrl, `/_sim/files/${target.id}/share`, { access: 'open' });
    const afterShare = await until(
      'the shared file to be rescanned',
      findingsOf,
      (f) => f.some((x: any) => x.accessLevel === 'public'),
      60_000,
    );
    console.log(
      `   share  -> rescanned in ${((Date.now() - shared) / 1000).toFixed(1)} s: ${afterShare.map((f: any) => f.policyId).join(', ')}`,
    );

    // A preview is recorded as activity but waits for the regular scan: the priority lane stays idle.
    const before = (await api.call('GET', `/api/connectors/${created.id}`)).scan.priorityScanned as number;
    await simControl(o.simUrl, `/_sim/files/${target.id}/preview`, {});
    const recorded = await until(
      'the preview in the event log',
      () => api.call('GET', `/api/connectors/${created.id}/events?fileId=${target.id}&kind=view`),
      (r: any) => r.items.length > 0,
      30_000,
    );
    await sleep(2000);
    const after = (await api.call('GET', `/api/connectors/${created.id}`)).scan.priorityScanned as number;
    if (after !== before) throw new Error(`a preview was rescanned (priority scans ${before} -> ${after})`);
    console.log(
      `   preview -> recorded as ${recorded.items[0].eventType} (${recorded.items[0].source}, kind view), not rescanned: it waits for the regular scan`,
    );
  }

  if (o.simUrl && o.governance) {
    step(7, 'Governance: an automatic action, then one approved through the API');
    await governanceDemo(api, o.simUrl, created.id);
  }

  step(o.simUrl && o.governance ? 8 : 7, 'Findings summary');
  const findings = await api.all(`/api/connectors/${created.id}/findings?status=open`);
  const byPolicy = new Map<string, { severity: string; count: number }>();
  for (const f of findings)
    byPolicy.set(f.policyId, { severity: f.severity, count: (byPolicy.get(f.policyId)?.count ?? 0) + 1 });
  for (const [policy, { severity, count }] of [...byPolicy].sort((a, b) => b[1].count - a[1].count)) {
    console.log(`   ${policy.padEnd(40)} ${severity.padEnd(8)} ${String(count).padStart(5)}`);
  }
  console.log(`   ${findings.length} open findings in all`);

  const query = encodeURIComponent(`ConnectorId="${created.id}"`);
  console.log(`
Where to look
  Console          ${api.baseUrl}/console/apps/${created.id}   (files, findings, activity log, governance approvals)
  Temporal Web UI  ${o.uiUrl}/namespaces/${o.namespace}/workflows?query=${query}
  Connector        curl -H "Authorization: Bearer $API_TOKEN" ${api.baseUrl}/api/connectors/${created.id}
  Findings         ${api.baseUrl}/api/connectors/${created.id}/findings?status=open
  Files            ${api.baseUrl}/api/connectors/${created.id}/files?accessLevel=public
  Event log        ${api.baseUrl}/api/connectors/${created.id}/events
  OpenAPI          ${api.baseUrl}/openapi.json`);
  return created.id;
}

/**
 * Uploads a file holding SSNs next to an existing file and shares it publicly: once for the policy whose
 * action removes the link at once, once for the policy whose action waits for an approval (given here
 * through the API). Each ends with the rescan: the finding closed, the file private.
 */
async function governanceDemo(api: ApiClient, simUrl: string, connectorId: string): Promise<void> {
  const files = (
    (await (await fetch(`${simUrl}/_sim/manifest/files?limit=10000&activeOnly=true`)).json()) as {
      entries: any[];
    }
  ).entries;
  // A folder below a top-level folder: its webhook reports the upload and the share within seconds.
  const folder = files.find((f) => f.path.split('/').length > 3)?.parentId as string | undefined;
  if (!folder) throw new Error('box-sim has no nested folder to upload the governance demo files into');
  const text = 'Employee: J. Smith\nSSN: 536-22-8172\n';
  const base = `/api/connectors/${connectorId}`;
  const actionOf = async (fileId: string) =>
    (await api.call('GET', `${base}/governance/actions?file=${fileId}`)).items[0];
  const fileOf = async (fileId: string) =>
    (await api.all(`${base}/files`)).find((f: any) => f.fileId === fileId);
  const openFindings = async (fileId: string, policy: string) =>
    (await api.call('GET', `${base}/findings?policy=${policy}&status=open`)).items.filter(
      (f: any) => f.fileId === fileId,
    ).length;

  const uploadShared = async (name: string) => {
    const res = await fetch(`${simUrl}/_sim/folders/${folder}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, text }),
    });
    if (!res.ok) throw new Error(`box-sim upload answered ${res.status}: ${await res.text()}`);
    const { fileId } = (await res.json()) as { fileId: string };
    await simControl(simUrl, `/_sim/files/${fileId}/share`, { access: 'open' });
    return fileId;
  };

  // 1. Automatic: the policy's action removes the public link as soon as the finding opens.
  const auto = await uploadShared(`governance-demo-payroll-${Date.now()}.txt`);
  const started = Date.now();
  const done = await until(
    'the automatic action to finish',
    () => actionOf(auto),
    (a: any) => a !== undefined && ['done', 'skipped', 'failed'].includes(a.state),
    90_000,
  );
  if (done.state !== 'done') throw new Error(`the automatic action ended ${done.state}: ${done.reason}`);
  const privateNow = await until(
    'the rescan after the action',
    async () => ({ file: await fileOf(auto), open: await openFindings(auto, 'demo-ssn-public-link') }),
    (v) => v.file?.accessLevel === 'private' && v.open === 0,
    60_000,
  );
  console.log(
    `   automatic  ${done.kind} on file ${auto} (SSNs, public link) by ${done.requestedBy}: ${done.outcome}; ` +
      `rescanned: finding resolved, exposure ${privateNow.file.accessLevel} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );

  // 2. Approval: the action waits until someone approves it through the API.
  const approval = await uploadShared(`governance-approval-contract-${Date.now()}.txt`);
  const waiting = await until(
    'the action to await approval',
    () => actionOf(approval),
    (a: any) => a?.state === 'awaiting-approval',
    90_000,
  );
  console.log(
    `   approval   ${waiting.kind} on file ${approval}: ${waiting.state} until ${waiting.expiresAt}`,
  );
  const approved = await api.call('POST', `${base}/governance/actions/${waiting.id}/approve`, {
    note: 'approved by the demo',
  });
  const finished = await until(
    'the approved action to finish',
    () => actionOf(approval),
    (a: any) => ['done', 'skipped', 'failed'].includes(a.state),
    60_000,
  );
  if (finished.state !== 'done')
    throw new Error(`the approved action ended ${finished.state}: ${finished.reason}`);
  const after = await until(
    'the rescan after the approved action',
    () => fileOf(approval),
    (f: any) => f?.accessLevel === 'private',
    60_000,
  );
  console.log(
    `              POST .../governance/actions/${waiting.id}/approve -> ${approved.state} by ${approved.approver}; ` +
      `${finished.outcome}; exposure ${after.accessLevel}`,
  );
  console.log(`   audit      GET ${base}/files/${approval}/audit`);
}

async function simControl(simUrl: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${simUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`box-sim ${path} answered ${res.status}: ${await res.text()}`);
}
