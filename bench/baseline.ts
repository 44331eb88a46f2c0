/**
 * A naive baseline beside connect-box, in one run: `npm run bench -- baseline [--files 5000]
 * [--users files/100] [--policies templates|exposure]`.
 *
 * The baseline is the script anyone would write first with box-node-sdk: no Temporal, no store, one
 * request at a time. It lists the enterprise's users, walks each user's tree as that user (folder pages
 * of 1,000 with the same fields), reads the collaborators of collaborated folders and files, downloads the
 * files the policies need the content of, and inspects each file in its own thread with the same policy
 * set. Then the scan bench's full pass runs on the same box-sim process (so the same data), and the table
 * puts the two side by side: files/s, CPU seconds of the walking process per file, and connect-box's
 * ratio to the baseline. Both count their findings, to check they did the same work (the scan bench's
 * priority samples, edits made during its pass, add a few of its own).
 */
import { cpus, loadavg } from 'node:os';
import { BoxClient, BoxOAuth, OAuthConfig } from 'box-node-sdk';
import { NetworkSession } from 'box-node-sdk/networking';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxBaseUrls } from '../box/box-connection';
import type { Config } from '../config/config';
import { inspectFile, loadPolicySet, needsContent, type CompiledPolicySet } from '../policies';
import { ITEM_FIELDS } from '../activities/scan-box-reader';
import { simConsentCode, writeBenchPolicies } from './lib/bench-setup';
import { childCpuSeconds } from './lib/process-cpu';
import { startSimProcess } from './lib/sim-process';
import { printFigures, printTable } from './report';
import { measureScan, type SimProcess } from './scan';

type Raw = Record<string, unknown>;

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  const files = Number(options.files ?? 5000);
  const users = Number(options.users ?? Math.max(10, Math.round(files / 100)));
  const load = loadavg()[0]!;
  const sim = await startSimProcess(files, users);
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-baseline-'));
  try {
    const policyFile = writeBenchPolicies(dir, options.policies);
    const base = await runBaseline(sim, options.policies === 'exposure' ? policyFile : undefined);
    const scan = await measureScan({ ...options, files: String(files), users: String(users) }, sim);
    const f = scan.figures as Record<string, number>;
    const figures = {
      files: base.files,
      users,
      policies: options.policies ?? 'templates',
      baselineSeconds: round(base.seconds),
      baselineFilesPerSecond: round(base.files / base.seconds),
      baselineCpuMsPerFile: round((base.cpuSeconds * 1000) / base.files, 3),
      baselineDownloads: base.downloads,
      baselineFindings: base.findings,
      baselineCpuSecondsBoxSim: round(base.simCpuSeconds),
      connectBoxSeconds: f.fullPassSeconds!,
      connectBoxFilesPerSecond: f.filesPerSecond!,
      connectBoxCpuMsPerFile: f.workerCpuMsPerFile!,
      connectBoxCpuSecondsBoxSim: f.cpuSecondsBoxSimFullPass!,
      connectBoxFilesSeen: f.files!,
      connectBoxFindingsOpen: f.findingsOpen!,
      ratioFilesPerSecond: round(f.filesPerSecond! / (base.files / base.seconds)),
      ratioCpuPerFile: round(f.workerCpuMsPerFile! / ((base.cpuSeconds * 1000) / base.files)),
      loadAverageAtStart: round(load),
      cores: cpus().length,
      node: process.version,
    };
    printTable([
      { figure: 'files', value: figures.files },
      { figure: 'baseline: seconds', value: figures.baselineSeconds },
      { figure: 'baseline: files/s', value: figures.baselineFilesPerSecond },
      { figure: 'baseline: CPU ms per file (its process)', value: figures.baselineCpuMsPerFile },
      { figure: 'baseline: downloads', value: figures.baselineDownloads },
      { figure: 'baseline: findings', value: figures.baselineFindings },
      { figure: 'baseline: box-sim CPU s', value: figures.baselineCpuSecondsBoxSim },
      { figure: 'connect-box: full pass seconds', value: figures.connectBoxSeconds },
      { figure: 'connect-box: files/s', value: figures.connectBoxFilesPerSecond },
      { figure: 'connect-box: worker CPU ms per file', value: figures.connectBoxCpuMsPerFile },
      { figure: 'connect-box: box-sim CPU s', value: figures.connectBoxCpuSecondsBoxSim },
      { figure: 'connect-box: open findings after the pass', value: figures.connectBoxFindingsOpen },
      { figure: 'connect-box / baseline: files/s', value: figures.ratioFilesPerSecond },
      { figure: 'connect-box / baseline: CPU per file', value: figures.ratioCpuPerFile },
      { figure: 'load average (1 min) before the run', value: figures.loadAverageAtStart },
    ]);
    printFigures(figures);
  } finally {
    sim.process.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The naive walk, download and inspection of every user's files, one request at a time. */
async function runBaseline(sim: SimProcess, policyFile: string | undefined) {
  const config = {
    box: {
      apiBaseUrl: sim.baseUrl,
      uploadBaseUrl: `${sim.baseUrl}/upload`,
      authorizeUrl: `${sim.baseUrl}/api/oauth2/authorize`,
      apps: {},
      webhookPrimaryKey: '',
    },
  } as unknown as Pick<Config, 'box'>;
  const manifest = (await sim.get('/_sim/manifest')) as { users: Array<{ login: string; role: string }> };
  const admin = manifest.users.find((u) => u.role === 'admin')!;
  const networkSession = new NetworkSession({ baseUrls: boxBaseUrls(config) });
  const auth = new BoxOAuth({
    config: new OAuthConfig({ clientId: 'box-sim-client-id', clientSecret: 'box-sim-client-secret' }),
  });
  await auth.getTokensAuthorizationCodeGrant(await simConsentCode(sim.baseUrl, admin.login), networkSession);
  const client = new BoxClient({ auth, networkSession });

  const cpuRoots = { sim: sim.process.pid! };
  const simCpuAtStart = childCpuSeconds(cpuRoots).sim ?? 0;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();

  const enterprise: Raw[] = [];
  for (let marker: string | undefined; ;) {
    const page = await client.users.getUsers({
      usemarker: true,
      limit: 1000,
      userType: 'managed',
      ...(marker && { marker }),
    });
    const raw = page.rawData as Raw;
    enterprise.push(...((raw.entries as Raw[]) ?? []));
    marker = (raw.next_marker as string | undefined) || undefined;
    if (!marker) break;
  }
  const domains = [...new Set(enterprise.map((u) => String(u.login).split('@')[1]!))].sort();
  const policySet: CompiledPolicySet = await loadPolicySet(policyFile ?? { version: 1 }, {
    internalDomains: domains,
  });
  let files = 0;
  let downloads = 0;
  let findings = 0;
  for (const user of enterprise) {
    const userId = String(user.id);
    const asUser = client.withAsUserHeader(userId);
    const folders: Array<{ id: string; collaborators: string[] }> = [{ id: '0', collaborators: [] }];
    for (let folder = folders.pop(); folder; folder = folders.pop()) {
      for (let marker: string | undefined; ;) {
        const page = await asUser.folders.getFolderItems(folder.id, {
          queryParams: { usemarker: true, limit: 1000, fields: [...ITEM_FIELDS], ...(marker && { marker }) },
        });
        const raw = page.rawData as Raw;
        for (const item of (raw.entries as Raw[]) ?? []) {
          if ((item.owned_by as Raw | undefined)?.id !== userId) continue;
          const id = String(item.id);
          if (item.type === 'folder') {
            const own = item.has_collaborations === true ? await collaborators(asUser, 'folder', id) : [];
            folders.push({ id, collaborators: [...new Set([...folder.collaborators, ...own])] });
            continue;
          }
          if (item.type !== 'file') continue;
          files++;
          const own = item.has_collaborations === true ? await collaborators(asUser, 'file', id) : [];
          const link = item.shared_link as Raw | null | undefined;
          const meta = {
            name: String(item.name),
            size: Number(item.size ?? 0),
            sharing: {
              sharedLink: link ? { access: link.access as 'open' | 'company' | 'collaborators' } : null,
              collaborators: [...new Set([...folder.collaborators, ...own])].map((login) =>
                login.startsWith('group:') ? { type: 'group' as const } : { type: 'user' as const, login },
              ),
            },
          };
          let content: Buffer | undefined;
          if (needsContent(policySet, meta)) {
            downloads++;
            const stream = await asUser.downloads.downloadFile(id);
            const chunks: Buffer[] = [];
            for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>)
              chunks.push(Buffer.from(chunk));
            content = Buffer.concat(chunks);
          }
          const result = await inspectFile({ ...meta, content }, policySet);
          findings += result.matches.length;
        }
        marker = (raw.next_marker as string | undefined) || undefined;
        if (!marker) break;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    files,
    downloads,
    findings,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    simCpuSeconds: (childCpuSeconds(cpuRoots).sim ?? 0) - simCpuAtStart,
  };
}

/** An item's direct collaborators (every page): users by login, groups as `group:<id>`. */
async function collaborators(client: BoxClient, type: 'file' | 'folder', id: string): Promise<string[]> {
  const out: string[] = [];
  for (let marker: string | undefined; ;) {
    const options = { queryParams: { limit: 1000, ...(marker && { marker }) } };
    const page =
      type === 'file'
        ? await client.listCollaborations.getFileCollaborations(id, options)
        : await client.listCollaborations.getFolderCollaborations(id, options);
    const raw = page.rawData as Raw;
    for (const entry of (raw.entries as Raw[]) ?? []) {
      const who = entry.accessible_by as Raw | undefined;
      const login = who?.type === 'group' ? `group:${String(who.id)}` : (who?.login ?? entry.invite_email);
      if (typeof login === 'string') out.push(login.toLowerCase());
    }
    marker = (raw.next_marker as string | undefined) || undefined;
    if (!marker) return out;
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
