/**
 * The console's file list at scale: `npm run bench -- console-files [--files 100000] [--page-size 100]
 *   [--deep-page 500] [--database-url sqlite:<file> | postgres://...]`.
 * Seeds `files` inventory rows of one connector (a fresh SQLite file unless `--database-url` names an
 * empty database), with access levels, shared links, owners, external collaborator domains and findings
 * of two policies in realistic proportions, then for each filter of the file list (GET
 * /api/connectors/:id/files and /console/files: the same repository function) walks the pages by cursor
 * and times page 1 and page `deep-page` (or the last page when the filter has fewer), the median of 5
 * reads each. "Without slowing down" means the deep page costs what the first does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PolicyMatch } from '../policies';
import { openStore } from '../store/database';
import { FindingsRepository } from '../store/findings-repository';
import { InventoryRepository, type FileQuery, type FileRow } from '../store/inventory-repository';
import { printFigures, printTable } from './report';

const CONNECTOR = 'bench-connector';
const AT = '2026-12-01T00:00:00.000Z';
const OWNERS = 200;
const DOMAINS = ['partner.test', 'gmail.test', 'supplier.test', 'agency.test'];

/** Reads a whole-number option, or fails naming it. */
function intOption(options: Record<string, string>, name: string, fallback: number, min: number): number {
  const raw = options[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be a whole number of at least ${min}, not '${raw}'`);
  return n;
}

/** A deterministic spread of values: the same file gets the same attributes on every run. */
function fileRow(i: number): FileRow {
  const id = String(100_000_000 + i);
  const r = (i * 2654435761) % 1000;
  const access = r < 40 ? 'public' : r < 140 ? 'external' : r < 400 ? 'internal' : 'private';
  const link = access === 'public' ? 'open' : access === 'internal' && r % 2 ? 'company' : null;
  const domains = access === 'external' ? [DOMAINS[r % DOMAINS.length]!] : [];
  const ext = ['docx', 'xlsx', 'pdf', 'txt'][r % 4]!;
  const name = r % 10 === 0 ? `Quarterly report ${i}.${ext}` : `file-${i}.${ext}`;
  return {
    connector_id: CONNECTOR,
    file_id: id,
    owner_id: String(i % OWNERS),
    owner_login: `user${i % OWNERS}@acme.test`,
    name,
    path: `/Projects/${i % 50}/${name}`,
    extension: ext,
    size: 1000 + r,
    sha1: `sha-${id}`,
    access_level: access,
    shared_link_access: link,
    collaborators_json: JSON.stringify({ internal: 1, external: domains.length, externalDomains: domains }),
    direct_collaborators_json: '[]',
    has_collaborations: domains.length > 0 ? 1 : 0,
    modified_at: AT,
    last_seen_pass: 1,
    walked_pass: 1,
    last_scanned_at: AT,
    scanned_sha1: `sha-${id}`,
    scanned_sharing_hash: 'h',
    scanned_policy_version: 'v1',
    inspection_status: 'Completed',
    inspection_reason: 'inspected',
    deleted_at: null,
    updated_at: AT,
  };
}

function matchesOf(i: number): PolicyMatch[] {
  const r = (i * 2654435761) % 1000;
  const sample = { detector: 'us_ssn', masked: '***-**-1234', likelihood: 'likely' as const };
  return [
    ...(r % 5 === 0
      ? [
          {
            policyId: 'pii',
            policyName: 'PII',
            severity: 'high' as const,
            accessLevel: 'private' as const,
            detectorCounts: { us_ssn: 1 },
            samples: [sample],
          },
        ]
      : []),
    ...(r % 13 === 0
      ? [
          {
            policyId: 'pci',
            policyName: 'PCI',
            severity: 'critical' as const,
            accessLevel: 'private' as const,
            detectorCounts: {},
            samples: [],
          },
        ]
      : []),
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  const files = intOption(options, 'files', 100_000, 100);
  const pageSize = intOption(options, 'page-size', 100, 1);
  const deepPage = intOption(options, 'deep-page', 500, 2);
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-console-files-'));
  const url = options['database-url'] ?? `sqlite:${join(dir, 'store.sqlite')}`;
  const store = await openStore(url);
  try {
    const seedStart = performance.now();
    const CHUNK = 5000;
    for (let start = 0; start < files; start += CHUNK) {
      const rows = Array.from({ length: Math.min(CHUNK, files - start) }, (_, k) => fileRow(start + k));
      await store.db.transaction().execute(async (trx) => {
        await new InventoryRepository(trx).upsertMany(rows);
        await new FindingsRepository(trx).sync(
          CONNECTOR,
          rows.map((r, k) => ({ fileId: r.file_id, matches: matchesOf(start + k) })),
          AT,
        );
      });
    }
    const seedS = (performance.now() - seedStart) / 1000;
    const inventory = new InventoryRepository(store.db);
    const filters: Array<[string, FileQuery]> = [
      ['none', {}],
      ['accessLevel=public', { accessLevel: 'public' }],
      ['sharedLink=company', { sharedLink: 'company' }],
      ['owner', { owner: 'user7@acme.test' }],
      ['policy=pii', { policy: 'pii' }],
      ['severity=critical', { severity: 'critical' }],
      ['domain=partner.test', { domain: 'partner.test' }],
      ['name=report', { name: 'report' }],
      ['external+name', { accessLevel: 'external', name: 'report' }],
      ['policy+domain', { policy: 'pii', domain: 'gmail.test' }],
    ];
    const rows: Array<Record<string, string | number>> = [];
    const figures: Record<string, { page1Ms: number; deepMs: number; deepPage: number; matched: number }> =
      {};
    for (const [name, q] of filters) {
      const time = async (cursor: string | undefined) => {
        const runs: number[] = [];
        for (let k = 0; k < 5; k++) {
          const t = performance.now();
          await inventory.list(CONNECTOR, { ...q, limit: pageSize, cursor });
          runs.push(performance.now() - t);
        }
        return median(runs);
      };
      let cursor: string | undefined;
      let deepCursor: string | undefined;
      let pages = 0;
      let matched = 0;
      do {
        deepCursor = cursor;
        const page = await inventory.list(CONNECTOR, { ...q, limit: pageSize, cursor });
        matched += page.items.length;
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < deepPage);
      const page1Ms = await time(undefined);
      const deepMs = await time(deepCursor);
      figures[name] = { page1Ms: round(page1Ms), deepMs: round(deepMs), deepPage: pages, matched };
      rows.push({
        filter: name,
        'page 1 ms': page1Ms,
        [`page N ms`]: deepMs,
        N: pages,
        'files on pages 1..N': matched,
      });
    }
    console.log(
      `${files} files seeded in ${seedS.toFixed(1)} s (${url.startsWith('sqlite') ? 'SQLite' : 'PostgreSQL'}), ${pageSize} a page`,
    );
    printTable(rows);
    printFigures({
      benchmark: 'console-files',
      files,
      pageSize,
      deepPage,
      seedS: round(seedS),
      filters: figures,
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
