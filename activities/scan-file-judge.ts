import { createHash } from 'node:crypto';
import type { BoxClient } from 'box-node-sdk';
import {
  evaluateExposure,
  needsContent,
  sharedInspectionPool,
  type InspectionPool,
  type CompiledPolicySet,
  type FileSharing,
  type InspectionLimits,
  type PolicyMatch,
} from '../policies';
import { describeBoxError } from '../box/box-errors';
import { inspectionSeconds } from '../telemetry/metrics';
import type { FileRow } from '../store/inventory-repository';
import { directCollaborators, downloadContent, type ListedFile } from './scan-box-reader';

/** A file to judge: as Box lists it, with the collaborators its folders pass on. */
export interface FileToJudge extends ListedFile {
  inheritedCollaborators: readonly string[];
}

/** The verdict on one file: its inventory row, and its matches when it was inspected. */
export interface FileVerdict {
  row: FileRow;
  /** Present when the file was inspected (its findings must be made equal to these). */
  matches?: readonly PolicyMatch[];
  downloaded: boolean;
}

/** What judging needs. */
export interface JudgeContext {
  connectorId: string;
  /** An As-User client of the file's owner. */
  client: BoxClient;
  policySet: CompiledPolicySet;
  pass: number;
  now: string;
  limits?: Partial<InspectionLimits>;
  signal?: AbortSignal;
  /** Fetch the file's own collaborators even when its listing looks unchanged (priority rescans). */
  refreshCollaborators?: boolean;
  /** The file was listed by the pass's walk (not looked up by the priority lane). */
  walked?: boolean;
  /** Where files are inspected; the process's shared pool (a thread per core) by default. */
  inspectionPool?: InspectionPool;
}

/**
 * Judges one file: its sharing (shared link + inherited and direct collaborators), its exposure, and
 * (only when its sha1, sharing or the policy-set version changed since its last scan, or it was never
 * scanned) its content: downloaded only when some content policy applies (needsContent), then inspected.
 * An unchanged file keeps its last result and costs no API call.
 */
export async function judgeFile(
  ctx: JudgeContext,
  file: FileToJudge,
  existing: FileRow | undefined,
): Promise<FileVerdict> {
  const direct = await directCollaboratorsOf(ctx, file, existing);
  const collaborators = [...new Set([...file.inheritedCollaborators, ...direct])].sort();
  const sharing: FileSharing = {
    sharedLink: isLinkAccess(file.sharedLinkAccess) ? { access: file.sharedLinkAccess } : null,
    collaborators: collaborators.map((c) =>
      c.startsWith('group:') ? { type: 'group' as const } : { type: 'user' as const, login: c },
    ),
  };
  const exposure = evaluateExposure(sharing, ctx.policySet.internalDomains);
  const sharingHash = createHash('sha256')
    .update(JSON.stringify([file.sharedLinkAccess, collaborators]))
    .digest('hex');
  const external = collaborators.filter(
    (c) => !c.startsWith('group:') && exposure.externalDomains.includes(domainOf(c)),
  ).length;
  const base: FileRow = {
    connector_id: ctx.connectorId,
    file_id: file.id,
    owner_id: file.ownerId,
    owner_login: file.ownerLogin,
    name: file.name,
    path: `${file.folderPath === '/' ? '' : file.folderPath}/${file.name}`,
    extension: file.extension,
    size: file.size,
    sha1: file.sha1,
    access_level: exposure.accessLevel,
    shared_link_access: file.sharedLinkAccess,
    collaborators_json: JSON.stringify({
      internal: collaborators.length - external,
      external,
      externalDomains: exposure.externalDomains,
    }),
    direct_collaborators_json: JSON.stringify(direct),
    has_collaborations: file.hasCollaborations ? 1 : 0,
    modified_at: file.modifiedAt,
    last_seen_pass: Math.max(ctx.pass, existing?.last_seen_pass ?? 0),
    walked_pass: ctx.walked ? ctx.pass : (existing?.walked_pass ?? 0),
    last_scanned_at: existing?.last_scanned_at ?? null,
    scanned_sha1: existing?.scanned_sha1 ?? null,
    scanned_sharing_hash: existing?.scanned_sharing_hash ?? null,
    scanned_policy_version: existing?.scanned_policy_version ?? null,
    inspection_status: existing?.inspection_status ?? 'Pending',
    inspection_reason: existing?.inspection_reason ?? 'not inspected yet',
    deleted_at: null,
    updated_at: ctx.now,
  };
  const unchanged =
    existing !== undefined &&
    existing.deleted_at === null &&
    existing.scanned_sha1 === file.sha1 &&
    existing.scanned_sharing_hash === sharingHash &&
    existing.scanned_policy_version === ctx.policySet.version;
  if (unchanged) return { row: base, downloaded: false };

  const meta = {
    name: file.name,
    extension: file.extension || undefined,
    size: file.size,
    sharing,
    ownerLogin: file.ownerLogin || undefined,
    path: file.folderPath,
  };
  const wantsContent = needsContent(ctx.policySet, meta, ctx.limits);
  let content: Buffer | undefined;
  if (wantsContent) {
    content = await downloadUnlessGone(ctx, file.id);
    if (content === undefined) return goneVerdict(base, ctx.now);
  }
  // Extraction and detectors run in the worker-thread pool, so one worker process uses every core.
  const pool = ctx.inspectionPool ?? sharedInspectionPool();
  const started = performance.now();
  // A rescan of the priority lane (not walked) goes before the walk's files waiting for a thread.
  const result = await pool.inspect({ ...meta, content }, ctx.policySet, ctx.limits, !ctx.walked);
  inspectionSeconds.observe({ status: result.status }, (performance.now() - started) / 1000);
  return {
    row: {
      ...base,
      last_scanned_at: ctx.now,
      scanned_sha1: file.sha1,
      scanned_sharing_hash: sharingHash,
      scanned_policy_version: ctx.policySet.version,
      inspection_status: result.status,
      inspection_reason: result.reason,
    },
    matches: result.matches,
    downloaded: wantsContent,
  };
}

// Box answers 404 for a download URL whose version was replaced meanwhile (the file was edited between the
// listing and the download): a fresh request gets the new version. Two 404s in a row: the file is gone.
async function downloadUnlessGone(ctx: JudgeContext, fileId: string): Promise<Buffer | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadContent(ctx.client, fileId, ctx.signal);
    } catch (err) {
      if (describeBoxError(err).kind !== 'NotFound') throw err;
      if (attempt >= 2) return undefined;
    }
  }
}

/** A file that vanished while it was judged (trashed or deleted): stored as deleted, its findings closed. */
function goneVerdict(base: FileRow, now: string): FileVerdict {
  return {
    row: {
      ...base,
      deleted_at: now,
      inspection_status: 'Deleted',
      inspection_reason: 'the file was trashed or deleted while it was being scanned',
    },
    matches: [],
    downloaded: false,
  };
}

// The file's own collaborations cost a call: made when the file has collaborations and is new, changed,
// newly collaborated, or a priority rescan asks; otherwise the last ones read are reused (changes to
// collaborations reach the priority lane as COLLABORATION.* activity).
async function directCollaboratorsOf(
  ctx: JudgeContext,
  file: FileToJudge,
  existing: FileRow | undefined,
): Promise<string[]> {
  if (!file.hasCollaborations) return [];
  const known =
    existing !== undefined &&
    existing.has_collaborations === 1 &&
    existing.sha1 === file.sha1 &&
    existing.deleted_at === null;
  if (known && !ctx.refreshCollaborators) return JSON.parse(existing.direct_collaborators_json) as string[];
  try {
    return await directCollaborators(ctx.client, { type: 'file', id: file.id }, ctx.signal);
  } catch (err) {
    // Gone since the listing: the download finds out and stores it as deleted.
    if (describeBoxError(err).kind === 'NotFound') return [];
    throw err;
  }
}

function isLinkAccess(access: string | null): access is 'open' | 'company' | 'collaborators' {
  return access === 'open' || access === 'company' || access === 'collaborators';
}

function domainOf(login: string): string {
  return login.slice(login.lastIndexOf('@') + 1).toLowerCase();
}
