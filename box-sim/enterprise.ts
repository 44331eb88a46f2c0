/**
 * The in-memory model of one seeded enterprise: reads of users, folder trees, files and sharing, and
 * the changes made to them. Metadata sits in the typed arrays generate-enterprise.ts derives from the
 * seed; content is generated on demand (see content.ts), so a million files fit in about 130 MB. This
 * is the single state interface the handlers use.
 */
import { createHash } from 'node:crypto';
import { extensionFor, planContent, renderContent, type ContentPlan, type FileExtension } from './content';
import { boxErrors } from './errors';
import { idOf, indexOf } from './ids';
import { hash32 } from './random';
import type { SimUser } from './enterprise-users';
import {
  DAY_S,
  NO_PARENT,
  generateEnterprise,
  rootOwnerOf,
  type EnterpriseOptions,
} from './generate-enterprise';
import type { SensitiveKind } from './sensitive-data';

export { ENTERPRISE_DOMAIN, ROLES, type Role, type SimUser } from './enterprise-users';
export { rootOwnerOf, rootParent, type EnterpriseOptions } from './generate-enterprise';
/** The parent of a folder at its owner's root (folders in a root all have it, whoever the owner). */
export const NO_PARENT_FOLDER = NO_PARENT;

/** Shared link access levels; `none` means no shared link. */
export const SHARE_ACCESS = ['none', 'open', 'company', 'collaborators'] as const;
/** One shared link access level. */
export type ShareAccess = (typeof SHARE_ACCESS)[number];

/** Collaboration roles the simulator knows. */
export const COLLAB_ROLES = [
  'editor',
  'viewer',
  'previewer',
  'uploader',
  'co-owner',
  'viewer uploader',
  'previewer uploader',
] as const;
/** One collaboration role. */
export type CollabRole = (typeof COLLAB_ROLES)[number];

/** Roles that may change an item (its shared link, place, trash state and collaborations), as in Box. */
export const EDIT_ROLES: ReadonlySet<string> = new Set(['owner', 'co-owner', 'editor']);
/** Roles that may put items into a folder (upload, move in, create a subfolder). */
export const UPLOAD_ROLES: ReadonlySet<string> = new Set([
  'owner',
  'co-owner',
  'editor',
  'uploader',
  'viewer uploader',
  'previewer uploader',
]);

/** A folder created through the API (`POST /folders`), after the generated ones. */
interface CreatedFolder {
  readonly owner: number;
  /** A folder index, or -1 (NO_PARENT) for the owner's root. */
  readonly parent: number;
  readonly createdAt: number;
  readonly name: string;
}

/** Where an item with a name already is (a 409 `item_name_in_use`). */
export type NameConflict = { kind: 'file' | 'folder'; index: number };

/** A collaboration on a file or folder. */
export interface Collaboration {
  readonly id: string;
  readonly email: string;
  /** Index of the collaborator when internal (an enterprise user). */
  readonly userIndex: number | undefined;
  role: CollabRole;
  readonly createdBy: number;
  readonly createdAt: number;
}

const FOLDER_WORDS = [
  'Projects',
  'Finance',
  'HR',
  'Legal',
  'Marketing',
  'Engineering',
  'Archive',
  'Clients',
  'Board',
  'Sales',
  'Ops',
  'Reports',
  'Contracts',
  'Drafts',
  'Shared',
] as const;
const FILE_WORDS = [
  'budget',
  'roadmap',
  'minutes',
  'contract',
  'invoice',
  'report',
  'plan',
  'notes',
  'export',
  'summary',
  'forecast',
  'payroll',
  'customers',
  'inventory',
  'audit',
] as const;
const STATE_ACTIVE = 0;
const STATE_TRASHED = 1;
const STATE_DELETED = 2;

const ROLE_STRENGTH = [
  'previewer',
  'uploader',
  'previewer uploader',
  'viewer',
  'viewer uploader',
  'editor',
  'co-owner',
];

function strongest(collabs: readonly Collaboration[]): string | undefined {
  let best: string | undefined;
  for (const c of collabs)
    if (best === undefined || ROLE_STRENGTH.indexOf(c.role) > ROLE_STRENGTH.indexOf(best)) best = c.role;
  return best;
}

/** The seeded enterprise and every change made to it since. */
export class Enterprise {
  readonly seed: number;
  readonly enterpriseId: string;
  readonly enterpriseName = 'Northwind Sim';
  readonly users: readonly SimUser[];
  /** Enterprise users only (the personal account excluded). */
  readonly managedUsers: readonly SimUser[];
  readonly folderCount: number;
  readonly baseFileCount: number;
  private fileCount: number;
  private readonly capacity: number;
  private readonly generatedAt: number;

  private readonly folderOwner: Uint16Array;
  private readonly folderParent: Int32Array;
  private readonly folderCreatedAt: Uint32Array;
  private readonly folderChildStart: Int32Array;
  private readonly folderChildList: Int32Array;
  private readonly rootFolders: number[][];

  private readonly fileParent: Int32Array;
  private readonly fileVersion: Uint16Array;
  private readonly fileState: Uint8Array;
  private readonly fileShare: Uint8Array;
  private readonly fileModifiedAt: Uint32Array;
  private readonly fileSize: Int32Array;
  private readonly fileSha1: Uint8Array;
  private readonly fileNames = new Map<number, string>();
  private readonly fileExt = new Map<number, FileExtension>();
  private readonly customContent = new Map<number, Buffer>();
  private readonly movedIn = new Map<number, Set<number>>();
  private readonly fileCollabs = new Map<number, Collaboration[]>();
  private readonly folderCollabs = new Map<number, Collaboration[]>();
  private readonly sharedWith = new Map<number, { folders: Set<number>; files: Set<number> }>();
  private readonly shareCounters = new Map<number, { downloads: number; previews: number }>();
  private collabCount = 0;
  private readonly createdFolders: CreatedFolder[] = [];
  private readonly createdChildren = new Map<number, number[]>();
  private readonly unsharedAt = new Map<number, number>();
  private readonly contentCache = new Map<string, Buffer>();

  constructor(options: EnterpriseOptions) {
    const g = generateEnterprise(options);
    this.seed = g.seed;
    this.generatedAt = g.generatedAt;
    this.enterpriseId = g.enterpriseId;
    this.users = g.users;
    this.managedUsers = this.users.filter((u) => u.inEnterprise);
    this.folderCount = g.folderCount;
    this.baseFileCount = g.baseFileCount;
    this.fileCount = g.baseFileCount;
    this.capacity = g.capacity;
    this.folderOwner = g.folderOwner;
    this.folderParent = g.folderParent;
    this.folderCreatedAt = g.folderCreatedAt;
    this.folderChildStart = g.folderChildStart;
    this.folderChildList = g.folderChildList;
    this.rootFolders = g.rootFolders;
    this.fileParent = g.fileParent;
    this.fileVersion = g.fileVersion;
    this.fileState = g.fileState;
    this.fileShare = g.fileShare;
    this.fileModifiedAt = g.fileModifiedAt;
    this.fileSize = g.fileSize;
    this.fileSha1 = g.fileSha1;
    // Files in a root folder are found through movedIn (keyed by their negative parent), like moved ones.
    for (const file of g.rootFileList) this.addToFolder(file, this.fileParent[file]!);
    for (const c of g.collaborations)
      this.attachCollab(c.kind, c.index, c.email, c.userIndex, c.role, c.createdBy, c.createdAt);
  }

  private attachCollab(
    kind: 'file' | 'folder',
    index: number,
    email: string,
    userIndex: number | undefined,
    role: CollabRole,
    createdBy: number,
    createdAt: number,
  ): Collaboration {
    const map = kind === 'file' ? this.fileCollabs : this.folderCollabs;
    const list = map.get(index) ?? [];
    const existing = list.find((c) => c.email === email);
    if (existing) return existing;
    const collab: Collaboration = {
      id: idOf('collaboration', this.collabCount++),
      email,
      userIndex,
      role,
      createdBy,
      createdAt,
    };
    list.push(collab);
    map.set(index, list);
    if (userIndex !== undefined) {
      const entry = this.sharedWith.get(userIndex) ?? {
        folders: new Set<number>(),
        files: new Set<number>(),
      };
      (kind === 'file' ? entry.files : entry.folders).add(index);
      this.sharedWith.set(userIndex, entry);
    }
    return collab;
  }

  // ---- users -------------------------------------------------------------------------------------

  /** The user with that ID, if any. */
  userById(id: string): SimUser | undefined {
    const index = indexOf('user', id, this.users.length);
    return index === undefined ? undefined : this.users[index];
  }

  /** The user with that login, if any. */
  userByLogin(login: string): SimUser | undefined {
    return this.users.find((u) => u.login.toLowerCase() === login.toLowerCase());
  }

  // ---- folders -----------------------------------------------------------------------------------

  /** Folders now: the generated ones (`folderCount`) and those created since. */
  get totalFolders(): number {
    return this.folderCount + this.createdFolders.length;
  }

  /** Folder index of an ID (not the root), or undefined. */
  folderIndex(id: string): number | undefined {
    return indexOf('folder', id, this.totalFolders);
  }

  private created(folder: number): CreatedFolder | undefined {
    return folder >= this.folderCount ? this.createdFolders[folder - this.folderCount] : undefined;
  }

  /** Owner of a folder. */
  folderOwnerOf(folder: number): number {
    return this.created(folder)?.owner ?? this.folderOwner[folder]!;
  }

  /** Parent folder index, or -1 for a folder at its owner's root. */
  folderParentOf(folder: number): number {
    return this.created(folder)?.parent ?? this.folderParent[folder]!;
  }

  /** Creation time of a folder, epoch seconds. */
  folderCreatedAtOf(folder: number): number {
    return this.created(folder)?.createdAt ?? this.folderCreatedAt[folder]!;
  }

  /** The folder's name (unique among its siblings). */
  folderName(folder: number): string {
    const made = this.created(folder);
    if (made) return made.name;
    const word = FOLDER_WORDS[hash32(this.seed, 40, folder) % FOLDER_WORDS.length]!;
    return `${word} ${folder % 1000}`;
  }

  /** The API ID of a file's parent: a folder's ID, or `0` for a user's root folder. */
  parentId(parent: number): string {
    return parent < 0 ? '0' : idOf('folder', parent);
  }

  /** Subfolders of a folder (-1 with an owner: the owner's root folders). */
  subfolders(folder: number, rootOwner?: number): readonly number[] {
    if (folder === NO_PARENT) return this.rootFolders[rootOwner ?? 0] ?? [];
    const made = this.createdChildren.get(folder) ?? [];
    if (folder >= this.folderCount) return [...made];
    return [
      ...Array.from(
        this.folderChildList.subarray(this.folderChildStart[folder], this.folderChildStart[folder + 1]),
      ),
      ...made,
    ];
  }

  /**
   * Creates a folder in a folder, or with -1 (NO_PARENT) in the owner's root; the caller checked the
   * name is free. Returns its index.
   */
  createFolder(owner: number, parent: number, name: string, at: number): number {
    const folder = this.totalFolders;
    this.createdFolders.push({ owner, parent, createdAt: Math.floor(at / 1000), name });
    if (parent === NO_PARENT) (this.rootFolders[owner] ??= []).push(folder);
    else {
      const list = this.createdChildren.get(parent) ?? [];
      list.push(folder);
      this.createdChildren.set(parent, list);
    }
    return folder;
  }

  /**
   * The item already named `name` (case-insensitive, as Box compares) among a folder's subfolders or
   * files; `parent` is a folder index or `rootParent(user)` for that user's root.
   */
  nameInUse(
    parent: number,
    name: string,
    kind: 'file' | 'folder',
    except?: number,
  ): NameConflict | undefined {
    const wanted = name.toLowerCase();
    if (kind === 'folder') {
      const folders = parent < 0 ? this.subfolders(NO_PARENT, rootOwnerOf(parent)) : this.subfolders(parent);
      const index = folders.find((f) => this.folderName(f).toLowerCase() === wanted);
      return index === undefined ? undefined : { kind: 'folder', index };
    }
    const index = this.filesIn(parent).find((f) => f !== except && this.fileName(f).toLowerCase() === wanted);
    return index === undefined ? undefined : { kind: 'file', index };
  }

  /**
   * Files currently in a folder, not trashed, in a stable order; `rootParent(user)` (negative) gives the
   * files directly in that user's root folder.
   */
  filesIn(folder: number): number[] {
    const out: number[] = [];
    if (folder >= 0 && folder < this.folderCount && this.baseFileCount > 0) {
      const start = Math.ceil((folder * this.baseFileCount) / this.folderCount);
      const end = Math.ceil(((folder + 1) * this.baseFileCount) / this.folderCount);
      for (let i = start; i < end; i++)
        if (this.fileParent[i] === folder && this.fileState[i] === STATE_ACTIVE) out.push(i);
    }
    const moved = this.movedIn.get(folder);
    if (moved)
      for (const i of [...moved].sort((a, b) => a - b))
        if (this.fileParent[i] === folder && this.fileState[i] === STATE_ACTIVE) out.push(i);
    return out;
  }

  /**
   * Items shared with a user through collaborations, shown in the user's root: only the top-most ones
   * (an item inside a folder the user already reaches is listed there, not again at the root).
   */
  sharedWithUser(user: number): { folders: number[]; files: number[] } {
    const entry = this.sharedWith.get(user);
    if (!entry) return { folders: [], files: [] };
    // A file in another user's root folder is never reached through a folder of the user's.
    const reachesParent = (folder: number) => folder >= 0 && this.canAccessFolder(user, folder);
    return {
      folders: [...entry.folders]
        .filter((f) => this.folderCollabs.get(f)?.some((c) => c.userIndex === user))
        .filter((f) => this.folderOwnerOf(f) !== user && !reachesParent(this.folderParentOf(f)))
        .sort((a, b) => a - b),
      files: [...entry.files]
        .filter(
          (f) =>
            this.fileState[f] === STATE_ACTIVE && this.fileCollabs.get(f)?.some((c) => c.userIndex === user),
        )
        .filter((f) => this.fileOwner(f) !== user && !reachesParent(this.fileParent[f]!))
        .sort((a, b) => a - b),
    };
  }

  /** The folder chain from the owner's root down to the folder itself (root excluded; a root gives []). */
  folderChain(folder: number): number[] {
    const chain: number[] = [];
    for (let f = folder, guard = 0; f >= 0 && guard < 10_000; f = this.folderParentOf(f), guard++)
      chain.push(f);
    return chain.reverse();
  }

  /** True when the user owns the folder or collaborates on it or on an ancestor. */
  canAccessFolder(user: number, folder: number): boolean {
    if (folder < 0) return rootOwnerOf(folder) === user;
    if (this.folderOwnerOf(folder) === user) return true;
    return this.folderChain(folder).some(
      (f) => this.folderCollabs.get(f)?.some((c) => c.userIndex === user) ?? false,
    );
  }

  /** Collaborations on a folder. */
  folderCollaborations(folder: number): readonly Collaboration[] {
    return this.folderCollabs.get(folder) ?? [];
  }

  // ---- files -------------------------------------------------------------------------------------

  /** Number of files ever created (including trashed and deleted ones). */
  get totalFiles(): number {
    return this.fileCount;
  }

  /** File index of an ID, or undefined if there is no such file (deleted files included). */
  fileIndex(id: string): number | undefined {
    return indexOf('file', id, this.fileCount);
  }

  /** True when the file is in the trash. */
  isTrashed(file: number): boolean {
    return this.fileState[file] === STATE_TRASHED;
  }

  /** True when the file was permanently deleted. */
  isDeleted(file: number): boolean {
    return this.fileState[file] === STATE_DELETED;
  }

  /** Parent folder of a file: a folder index, or `rootParent(owner)` (negative) in a root folder. */
  fileParentOf(file: number): number {
    return this.fileParent[file]!;
  }

  /** True when the file is directly in its owner's root folder (`0`). */
  isInRootFolder(file: number): boolean {
    return this.fileParent[file]! < 0;
  }

  /** Owner of a file (the owner of its folder, or of the root folder it is in). */
  fileOwner(file: number): number {
    const parent = this.fileParent[file]!;
    return parent < 0 ? rootOwnerOf(parent) : this.folderOwnerOf(parent);
  }

  /** The file's extension. */
  fileExtension(file: number): FileExtension {
    return this.fileExt.get(file) ?? extensionFor(this.seed, file);
  }

  /** The file's name. */
  fileName(file: number): string {
    const renamed = this.fileNames.get(file);
    if (renamed !== undefined) return renamed;
    const word = FILE_WORDS[hash32(this.seed, 41, file) % FILE_WORDS.length]!;
    const year = 2022 + (hash32(this.seed, 42, file) % 5);
    return `${word}-${year}-${file}.${this.fileExtension(file)}`;
  }

  /** Current version number (0 = as generated). */
  fileVersionOf(file: number): number {
    return this.fileVersion[file]!;
  }

  /** Creation time (epoch seconds). */
  fileCreatedAt(file: number): number {
    const parent = this.fileParent[file]!;
    // A root folder has no creation time: a root file was created within a day of its owner's account.
    const since = parent < 0 ? this.users[rootOwnerOf(parent)]!.createdAt : this.folderCreatedAtOf(parent);
    return Math.min(this.fileModifiedAt[file]!, since + (hash32(this.seed, 43, file) % DAY_S));
  }

  /** Last content modification (epoch seconds). */
  fileModifiedAtOf(file: number): number {
    return this.fileModifiedAt[file]!;
  }

  /** The clock shared links expire by (`unshared_at`); the simulator's `now` option. */
  clock: () => number = Date.now;

  /** Shared link access of a file; `none` once its `unshared_at` has passed (Box removes the link then). */
  fileShareAccess(file: number): ShareAccess {
    const access = SHARE_ACCESS[this.fileShare[file]!]!;
    if (access === 'none' || this.unsharedAt.size === 0) return access;
    const expiry = this.unsharedAt.get(file);
    if (expiry !== undefined && expiry * 1000 <= this.clock()) {
      this.fileShare[file] = 0;
      this.unsharedAt.delete(file);
      return 'none';
    }
    return access;
  }

  /** Shared link counters of a file. */
  shareCountersOf(file: number): { downloads: number; previews: number } {
    return this.shareCounters.get(file) ?? { downloads: 0, previews: 0 };
  }

  /** Collaborations directly on a file. */
  fileCollaborations(file: number): readonly Collaboration[] {
    return this.fileCollabs.get(file) ?? [];
  }

  /** Collaborations on a file, including those inherited from its folders. */
  effectiveCollaborations(file: number): Collaboration[] {
    const inherited = this.folderChain(this.fileParent[file]!).flatMap(
      (f) => this.folderCollabs.get(f) ?? [],
    );
    return [...inherited, ...this.fileCollaborations(file)];
  }

  /**
   * The user's role on a file: `owner`, the strongest role of its collaborations on the file or its
   * folders, or undefined without access.
   */
  fileRoleOf(user: number, file: number): string | undefined {
    if (this.fileOwner(file) === user) return 'owner';
    return strongest(this.effectiveCollaborations(file).filter((c) => c.userIndex === user));
  }

  /** The user's role on a folder (`rootParent(user)`: owner of their root), or undefined. */
  folderRoleOf(user: number, folder: number): string | undefined {
    if (folder < 0) return rootOwnerOf(folder) === user ? 'owner' : undefined;
    if (this.folderOwnerOf(folder) === user) return 'owner';
    return strongest(
      this.folderChain(folder).flatMap((f) =>
        (this.folderCollabs.get(f) ?? []).filter((c) => c.userIndex === user),
      ),
    );
  }

  /** The collaboration with that ID and the item it is on. */
  collaborationById(
    id: string,
  ): { kind: 'file' | 'folder'; index: number; collab: Collaboration } | undefined {
    for (const [kind, map] of [
      ['file', this.fileCollabs],
      ['folder', this.folderCollabs],
    ] as const)
      for (const [index, list] of map) {
        const collab = list.find((c) => c.id === id);
        if (collab) return { kind, index, collab };
      }
    return undefined;
  }

  /** Removes a collaboration by ID; returns where it was, or undefined. */
  removeCollaborationById(
    id: string,
  ): { kind: 'file' | 'folder'; index: number; collab: Collaboration } | undefined {
    const found = this.collaborationById(id);
    if (!found) return undefined;
    const map = found.kind === 'file' ? this.fileCollabs : this.folderCollabs;
    const list = map.get(found.index)!;
    list.splice(list.indexOf(found.collab), 1);
    const uses = found.collab.userIndex;
    if (uses !== undefined && !list.some((c) => c.userIndex === uses)) {
      const entry = this.sharedWith.get(uses);
      (found.kind === 'file' ? entry?.files : entry?.folders)?.delete(found.index);
    }
    return found;
  }

  /** Adds a collaboration on a folder (or returns the existing one of that address). */
  collaborateOnFolder(
    folder: number,
    email: string,
    role: CollabRole,
    by: number,
    at: number,
  ): { collab: Collaboration; created: boolean } {
    const existing = this.folderCollaborations(folder).find(
      (c) => c.email.toLowerCase() === email.toLowerCase(),
    );
    if (existing) return { collab: existing, created: false };
    const user = this.userByLogin(email);
    const collab = this.attachCollab(
      'folder',
      folder,
      user?.login ?? email,
      user?.inEnterprise ? user.index : undefined,
      role,
      by,
      Math.floor(at / 1000),
    );
    return { collab, created: true };
  }

  /** True when the user owns the file or collaborates on it (directly or through a folder). */
  canAccessFile(user: number, file: number): boolean {
    if (this.fileOwner(file) === user) return true;
    return this.effectiveCollaborations(file).some((c) => c.userIndex === user);
  }

  /** The plan of the file's current content, or undefined for content set through the control API. */
  contentPlan(file: number): ContentPlan | undefined {
    if (this.customContent.has(file)) return undefined;
    return planContent(this.seed, file, this.fileVersion[file]!, this.fileExtension(file));
  }

  /** The bytes a download of the current version returns. */
  content(file: number): Buffer {
    const custom = this.customContent.get(file);
    if (custom) return custom;
    const key = `${file}:${this.fileVersion[file]}`;
    const cached = this.contentCache.get(key);
    if (cached) return cached;
    const bytes = renderContent(this.seed, file, this.fileVersion[file]!, this.contentPlan(file)!);
    this.contentCache.set(key, bytes);
    if (this.contentCache.size > 64) this.contentCache.delete(this.contentCache.keys().next().value!);
    return bytes;
  }

  private ensureDigest(file: number): void {
    if (this.fileSize[file]! >= 0) return;
    const bytes = this.content(file);
    this.fileSize[file] = bytes.length;
    this.fileSha1.set(createHash('sha1').update(bytes).digest(), file * 20);
  }

  /** Size in bytes of the current version. */
  fileSizeOf(file: number): number {
    this.ensureDigest(file);
    return this.fileSize[file]!;
  }

  /** SHA-1 (hex) of the current version's bytes. */
  fileSha1Of(file: number): string {
    this.ensureDigest(file);
    return Buffer.from(this.fileSha1.subarray(file * 20, file * 20 + 20)).toString('hex');
  }

  /** The owner-side path of a file: folder names from the root down. */
  filePath(file: number): string[] {
    return this.folderChain(this.fileParent[file]!).map((f) => this.folderName(f));
  }

  // ---- changes (made by the user actions) --------------------------------------------------------

  /** Stores a new version: generated from the seed, or the given text. */
  newVersion(file: number, at: number, text?: string): void {
    const version = this.fileVersion[file]! + 1;
    this.fileVersion[file] = version;
    const custom = this.customContent.get(file);
    if (text !== undefined) this.customContent.set(file, Buffer.from(text, 'utf8'));
    else if (file >= this.baseFileCount && custom) {
      // Uploaded and copied files have no seed-generated content to fall back on: append a revision line.
      this.customContent.set(file, Buffer.concat([custom, Buffer.from(`\nRevision ${version}.\n`)]));
    } else this.customContent.delete(file);
    this.fileModifiedAt[file] = Math.floor(at / 1000);
    this.fileSize[file] = -1;
  }

  /** Renames a file. */
  rename(file: number, name: string): void {
    this.fileNames.set(file, name);
  }

  /** Moves a file to another folder (`rootParent(user)`: that user's root folder). */
  move(file: number, folder: number): void {
    this.fileParent[file] = folder;
    this.addToFolder(file, folder);
  }

  private addToFolder(file: number, folder: number): void {
    const set = this.movedIn.get(folder) ?? new Set<number>();
    set.add(file);
    this.movedIn.set(folder, set);
  }

  /** Sets the shared link access (`none` removes the link, and its expiry with it). */
  setShare(file: number, access: ShareAccess): void {
    this.fileShare[file] = SHARE_ACCESS.indexOf(access);
    if (access === 'none') this.unsharedAt.delete(file);
  }

  /** When the file's shared link expires (`unshared_at`, epoch seconds), or null. */
  shareExpiryOf(file: number): number | null {
    if (this.fileShareAccess(file) === 'none') return null;
    return this.unsharedAt.get(file) ?? null;
  }

  /** Sets or clears (null) the shared link's expiry. */
  setShareExpiry(file: number, epochSeconds: number | null): void {
    if (epochSeconds === null) this.unsharedAt.delete(file);
    else this.unsharedAt.set(file, epochSeconds);
  }

  /** Counts a shared-link preview or download. */
  countShareUse(file: number, kind: 'downloads' | 'previews'): void {
    if (this.fileShareAccess(file) === 'none') return;
    const counters = { ...this.shareCountersOf(file) };
    counters[kind]++;
    this.shareCounters.set(file, counters);
  }

  /** Adds (or returns the existing) collaboration on a file. */
  collaborate(
    file: number,
    email: string,
    role: CollabRole,
    by: number,
    at: number,
  ): { collab: Collaboration; created: boolean; roleChanged: boolean } {
    const existing = this.fileCollaborations(file).find((c) => c.email.toLowerCase() === email.toLowerCase());
    if (existing) {
      const roleChanged = existing.role !== role;
      existing.role = role;
      return { collab: existing, created: false, roleChanged };
    }
    const user = this.userByLogin(email);
    const collab = this.attachCollab(
      'file',
      file,
      user?.login ?? email,
      user?.inEnterprise ? user.index : undefined,
      role,
      by,
      Math.floor(at / 1000),
    );
    return { collab, created: true, roleChanged: false };
  }

  /** Removes a collaboration from a file; returns it, or undefined if there was none. */
  removeCollaboration(file: number, email: string): Collaboration | undefined {
    const list = this.fileCollabs.get(file) ?? [];
    const at = list.findIndex((c) => c.email.toLowerCase() === email.toLowerCase());
    if (at < 0) return undefined;
    const [removed] = list.splice(at, 1);
    if (removed?.userIndex !== undefined) this.sharedWith.get(removed.userIndex)?.files.delete(file);
    return removed;
  }

  /** Moves a file to the trash. */
  trash(file: number): void {
    this.fileState[file] = STATE_TRASHED;
  }

  /** Restores a trashed file. */
  restore(file: number): void {
    this.fileState[file] = STATE_ACTIVE;
  }

  /** Deletes a file permanently. */
  purge(file: number): void {
    this.fileState[file] = STATE_DELETED;
  }

  /** Creates a file (upload or copy) in a folder or, with `rootParent(user)`, a root folder; returns its index. */
  createFile(folder: number, name: string, content: Buffer, at: number): number {
    if (this.fileCount >= this.capacity) throw boxErrors.noRoomForFiles(this.capacity);
    const file = this.fileCount++;
    this.fileParent[file] = folder;
    this.fileModifiedAt[file] = Math.floor(at / 1000);
    this.fileNames.set(file, name);
    const ext = name.split('.').pop()?.toLowerCase();
    this.fileExt.set(file, (ext ?? 'txt') as FileExtension);
    this.customContent.set(file, content);
    this.move(file, folder);
    return file;
  }

  /** The planted sensitive data of a file's current version (undefined for custom content). */
  planted(file: number): Partial<Record<SensitiveKind, number>> | undefined {
    return this.contentPlan(file)?.planted;
  }
}
