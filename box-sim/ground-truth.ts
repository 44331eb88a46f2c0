/** The ground-truth manifest tests and benchmarks compare connect-box's results with. */
import type { Enterprise, Role, ShareAccess } from './enterprise';
import type { EventLog } from './event-log';
import { idOf } from './ids';
import { boxDate } from './json-shapes';
import type { SensitiveKind } from './sensitive-data';

/** What is true of one file now. */
export interface FileTruth {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly ownerLogin: string;
  /** `/Folder/Sub/name.ext`, as the owner sees it. */
  readonly path: string;
  readonly parentId: string;
  readonly extension: string;
  readonly size: number;
  /** SHA-1 of the bytes a download returns. */
  readonly sha1: string;
  readonly version: number;
  readonly sharedLinkAccess: ShareAccess;
  /** The shared link's expiry (`unshared_at` as Box formats it), or null (no link, or none set). */
  readonly sharedLinkUnsharedAt: string | null;
  /** Collaborators (direct and inherited from folders), split by whether they belong to the enterprise. */
  readonly collaborators: { readonly internal: string[]; readonly external: string[] };
  /** Planted sensitive values per kind; null when the content was set through the control API. */
  readonly planted: Partial<Record<SensitiveKind, number>> | null;
  /** Planted near misses (must not be reported). */
  readonly negatives: number;
  readonly trashed: boolean;
  readonly deleted: boolean;
}

/** One admin event. */
export interface EventTruth {
  readonly eventId: string;
  readonly createdAt: string;
  readonly eventType: string;
  readonly userId: string;
  readonly fileId?: string;
  /** Set for events about a folder. */
  readonly folderId?: string;
}

/** A user of the enterprise. */
export interface UserTruth {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly role: Role;
  readonly inEnterprise: boolean;
}

/** The manifest. */
export interface GroundTruth {
  readonly seed: number;
  readonly enterpriseId: string;
  /** Every account, the personal (non-enterprise) one last. */
  readonly users: readonly UserTruth[];
  readonly admin: UserTruth;
  readonly coadmins: readonly UserTruth[];
  /** Files ever created (deleted ones included). */
  fileCount(): number;
  /** Folders of the enterprise. */
  readonly folderCount: number;
  /** One file by ID. */
  file(id: string): FileTruth | undefined;
  /** Every file, in ID order; `activeOnly` skips trashed and deleted ones. */
  files(options?: { activeOnly?: boolean; ownerId?: string }): Generator<FileTruth>;
  /** Events with after <= created_at < before (epoch ms, Date or RFC 3339), in log order. */
  eventsBetween(after: number | Date | string, before: number | Date | string): EventTruth[];
  /** Number of such events (no allocation). */
  countEventsBetween(after: number | Date | string, before: number | Date | string): number;
  /** Events in the log (generated history and live). */
  eventCount(): number;
}

const toSeconds = (t: number | Date | string) =>
  Math.floor((typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime()) / 1000);

/** Builds the manifest over the live model (it always reflects the current state). */
export function groundTruth(ent: Enterprise, log: EventLog): GroundTruth {
  const userTruth = (i: number): UserTruth => {
    const u = ent.users[i]!;
    return { id: u.id, login: u.login, name: u.name, role: u.role, inEnterprise: u.inEnterprise };
  };
  const users = ent.users.map((u) => userTruth(u.index));
  const fileTruth = (file: number): FileTruth => {
    const owner = ent.users[ent.fileOwner(file)]!;
    const collabs = ent.effectiveCollaborations(file);
    const plan = ent.contentPlan(file);
    return {
      id: idOf('file', file),
      name: ent.fileName(file),
      ownerId: owner.id,
      ownerLogin: owner.login,
      path: '/' + [...ent.filePath(file), ent.fileName(file)].join('/'),
      parentId: ent.parentId(ent.fileParentOf(file)),
      extension: ent.fileExtension(file),
      size: ent.fileSizeOf(file),
      sha1: ent.fileSha1Of(file),
      version: ent.fileVersionOf(file),
      sharedLinkAccess: ent.fileShareAccess(file),
      sharedLinkUnsharedAt: ent.shareExpiryOf(file) === null ? null : boxDate(ent.shareExpiryOf(file)!),
      collaborators: {
        internal: collabs.filter((c) => c.userIndex !== undefined).map((c) => c.email),
        external: collabs.filter((c) => c.userIndex === undefined).map((c) => c.email),
      },
      planted: plan ? { ...plan.planted } : null,
      negatives: plan?.negatives ?? 0,
      trashed: ent.isTrashed(file),
      deleted: ent.isDeleted(file),
    };
  };
  const range = (after: number | Date | string, before: number | Date | string) =>
    [log.firstAtOrAfter(toSeconds(after)), log.firstAtOrAfter(toSeconds(before))] as const;
  return {
    seed: ent.seed,
    enterpriseId: ent.enterpriseId,
    users,
    admin: users[0]!,
    coadmins: users.filter((u) => u.role === 'coadmin'),
    get folderCount() {
      return ent.totalFolders;
    },
    fileCount: () => ent.totalFiles,
    file(id) {
      const file = ent.fileIndex(id);
      return file === undefined ? undefined : fileTruth(file);
    },
    *files(options = {}) {
      for (let i = 0; i < ent.totalFiles; i++) {
        if (options.activeOnly && (ent.isTrashed(i) || ent.isDeleted(i))) continue;
        if (options.ownerId !== undefined && ent.users[ent.fileOwner(i)]!.id !== options.ownerId) continue;
        yield fileTruth(i);
      }
    },
    eventsBetween(after, before) {
      const [from, to] = range(after, before);
      const out: EventTruth[] = [];
      for (let p = from; p < to; p++) {
        const e = log.at(p);
        out.push({
          eventId: e.id,
          createdAt: boxDate(e.createdAt),
          eventType: e.type,
          userId: ent.users[e.userIndex]!.id,
          ...(e.fileIndex !== undefined ? { fileId: idOf('file', e.fileIndex) } : {}),
          ...(e.folderItem !== undefined ? { folderId: idOf('folder', e.folderItem) } : {}),
        });
      }
      return out;
    },
    countEventsBetween(after, before) {
      const [from, to] = range(after, before);
      return Math.max(0, to - from);
    },
    eventCount: () => log.size,
  };
}
