/**
 * Seeded generation of an enterprise: users, folder trees, file placement, shares and the initial
 * collaborations, as typed arrays. A pure function of the options: the same seed and sizes give the
 * same arrays, byte for byte (test/unit/box-sim/enterprise-generation.test.ts pins them). The model
 * that reads and changes them is `Enterprise` (enterprise.ts).
 */
import { FIRST_NAMES, LAST_NAMES, generateUsers, type SimUser } from './enterprise-users';
import { Rng, hash32, hashUnit } from './random';

/** Size of the enterprise to generate. */
export interface EnterpriseOptions {
  readonly seed: number;
  readonly users: number;
  readonly files: number;
  /** Epoch milliseconds the enterprise is generated at ("now"). */
  readonly now: number;
  /** Room for files created after generation (copies, uploads). */
  readonly spareFiles?: number;
  /**
   * Share of the generated files placed directly in their owner's root folder (`0`) instead of a folder,
   * 0 to 1 (default 0: every file in a folder, the pinned generation). Box allows no webhook on folder 0.
   */
  readonly rootFiles?: number;
}

/** A collaboration the generation plants; the model dedupes it per item and gives it its ID. */
export interface SeedCollaboration {
  readonly kind: 'file' | 'folder';
  readonly index: number;
  readonly email: string;
  readonly userIndex: number | undefined;
  readonly role: 'editor' | 'viewer' | 'previewer';
  readonly createdBy: number;
  /** Epoch seconds. */
  readonly createdAt: number;
}

/** Everything generation decides; file arrays are sized to `capacity` so later files fit. */
export interface GeneratedEnterprise {
  readonly seed: number;
  readonly enterpriseId: string;
  readonly users: readonly SimUser[];
  /** Epoch seconds. */
  readonly generatedAt: number;
  readonly folderCount: number;
  readonly baseFileCount: number;
  readonly capacity: number;
  readonly folderOwner: Uint16Array;
  /** Parent folder index, or NO_PARENT at the owner's root. */
  readonly folderParent: Int32Array;
  /** Epoch seconds. */
  readonly folderCreatedAt: Uint32Array;
  /** Children of folder f are folderChildList[folderChildStart[f] .. folderChildStart[f + 1]). */
  readonly folderChildStart: Int32Array;
  readonly folderChildList: Int32Array;
  /** Root folders per user index. */
  readonly rootFolders: number[][];
  /** Parent folder index, or `rootParent(owner)` (negative) for a file in its owner's root folder. */
  readonly fileParent: Int32Array;
  /** The generated files placed in a root folder, in index order (empty unless `rootFiles` > 0). */
  readonly rootFileList: readonly number[];
  readonly fileVersion: Uint16Array;
  readonly fileState: Uint8Array;
  /** Index into SHARE_ACCESS. */
  readonly fileShare: Uint8Array;
  /** Epoch seconds. */
  readonly fileModifiedAt: Uint32Array;
  /** -1 until the content is first rendered. */
  readonly fileSize: Int32Array;
  /** 20 bytes per file, filled with the size. */
  readonly fileSha1: Uint8Array;
  /** In the order they were drawn (the model's collaboration IDs follow this order). */
  readonly collaborations: readonly SeedCollaboration[];
}

/** Seconds in a day. */
export const DAY_S = 86_400;
/** The parent of a folder at its owner's root. */
export const NO_PARENT = -1;

/**
 * The parent of a file directly in a user's root folder (`0`): a negative number naming the user
 * (`-1` is user 0's root, `-2` user 1's ...). Folder indices are >= 0.
 */
export function rootParent(user: number): number {
  return -1 - user;
}

/** The user whose root folder a negative parent names (see rootParent). */
export function rootOwnerOf(parent: number): number {
  return -1 - parent;
}

const EXTERNAL_DOMAINS = [
  'partner-agency.example',
  'gmail.example',
  'contractor.example',
  'lawfirm.example',
] as const;

/** Generates the enterprise the options describe. */
export function generateEnterprise(options: EnterpriseOptions): GeneratedEnterprise {
  const userCount = Math.max(2, Math.floor(options.users));
  const seed = options.seed >>> 0;
  const generatedAt = Math.floor(options.now / 1000);
  const enterpriseId = String(100_000 + (hash32(seed, 1) % 900_000));
  const users = generateUsers(seed, userCount, generatedAt);

  const files = Math.max(0, Math.floor(options.files));
  const folderCount = Math.max(userCount * 2, Math.ceil(files / 10));
  const capacity = files + (options.spareFiles ?? 4096);

  const folderOwner = new Uint16Array(folderCount);
  const folderParent = new Int32Array(folderCount);
  const folderCreatedAt = new Uint32Array(folderCount);
  const rootFolders: number[][] = Array.from({ length: userCount }, () => []);
  const childCounts = new Int32Array(folderCount + 1);
  for (let f = 0; f < folderCount; f++) {
    const owner = Math.floor((f * userCount) / folderCount);
    const blockStart = Math.ceil((owner * folderCount) / userCount);
    folderOwner[f] = owner;
    folderCreatedAt[f] = generatedAt - DAY_S * 30 - Math.floor(hashUnit(seed, 2, f) * DAY_S * 700);
    const atRoot = f === blockStart || hashUnit(seed, 3, f) < 0.25;
    const parent = atRoot ? NO_PARENT : f - 1 - (hash32(seed, 4, f) % Math.min(8, f - blockStart));
    folderParent[f] = parent;
    if (parent === NO_PARENT) rootFolders[owner]!.push(f);
    else childCounts[parent + 1]!++;
  }
  const folderChildStart = new Int32Array(folderCount + 1);
  for (let f = 0; f < folderCount; f++) folderChildStart[f + 1] = folderChildStart[f]! + childCounts[f + 1]!;
  const folderChildList = new Int32Array(folderChildStart[folderCount]!);
  const fill = folderChildStart.slice(0, folderCount);
  for (let f = 0; f < folderCount; f++) {
    const parent = folderParent[f]!;
    if (parent !== NO_PARENT) folderChildList[fill[parent]!++] = f;
  }

  const rootShare = options.rootFiles ?? 0;
  if (!(rootShare >= 0 && rootShare <= 1))
    throw new Error(`box-sim: rootFiles must be a share between 0 and 1, not ${options.rootFiles}`);
  const fileParent = new Int32Array(capacity);
  const fileShare = new Uint8Array(capacity);
  const fileModifiedAt = new Uint32Array(capacity);
  const rootFileList: number[] = [];
  for (let i = 0; i < files; i++) {
    const folder = Math.floor((i * folderCount) / files);
    // A root file keeps the times of the folder it would have been in (so the share changes nothing else).
    const atRoot = rootShare > 0 && hashUnit(seed, 10, i) < rootShare;
    fileParent[i] = atRoot ? rootParent(folderOwner[folder]!) : folder;
    if (atRoot) rootFileList.push(i);
    fileModifiedAt[i] =
      folderCreatedAt[folder]! +
      Math.floor(hashUnit(seed, 5, i) * (generatedAt - DAY_S * 11 - folderCreatedAt[folder]!));
    const s = hashUnit(seed, 6, i);
    fileShare[i] = s < 0.04 ? 1 : s < 0.1 ? 2 : s < 0.13 ? 3 : 0;
  }

  return {
    seed,
    enterpriseId,
    users,
    generatedAt,
    folderCount,
    baseFileCount: files,
    capacity,
    folderOwner,
    folderParent,
    folderCreatedAt,
    folderChildStart,
    folderChildList,
    rootFolders,
    fileParent,
    rootFileList,
    fileVersion: new Uint16Array(capacity),
    fileState: new Uint8Array(capacity),
    fileShare,
    fileModifiedAt,
    fileSize: new Int32Array(capacity).fill(-1),
    fileSha1: new Uint8Array(capacity * 20),
    collaborations: generateCollaborations(
      seed,
      users,
      userCount,
      generatedAt,
      folderOwner,
      fileParent,
      files,
    ),
  };
}

/** 4 % of folders and 3 % of files get a collaborator: another user (60 %) or an external address. */
function generateCollaborations(
  seed: number,
  users: readonly SimUser[],
  /** Enterprise users: the personal account at the end of `users` never collaborates. */
  userCount: number,
  generatedAt: number,
  folderOwner: Uint16Array,
  fileParent: Int32Array,
  files: number,
): SeedCollaboration[] {
  const folderCount = folderOwner.length;
  const rng = new Rng(hash32(seed, 7));
  const pickCollaborator = (owner: number): { email: string; userIndex: number | undefined } => {
    if (rng.float() < 0.6) {
      const other = (owner + 1 + rng.int(userCount - 1)) % userCount;
      return { email: users[other]!.login, userIndex: other };
    }
    const first = rng.pick(FIRST_NAMES).toLowerCase();
    return {
      email: `${first}.${rng.pick(LAST_NAMES).toLowerCase()}@${rng.pick(EXTERNAL_DOMAINS)}`,
      userIndex: undefined,
    };
  };
  const createdAt = generatedAt - 20 * DAY_S;
  const out: SeedCollaboration[] = [];
  const folderCollabCount = Math.max(1, Math.floor(folderCount * 0.04));
  for (let k = 0; k < folderCollabCount; k++) {
    const folder = hash32(seed, 8, k) % folderCount;
    const owner = folderOwner[folder]!;
    const who = pickCollaborator(owner);
    const role = rng.pick(['editor', 'viewer'] as const);
    out.push({ kind: 'folder', index: folder, ...who, role, createdBy: owner, createdAt });
  }
  const fileCollabCount = Math.floor(files * 0.03);
  for (let k = 0; k < fileCollabCount; k++) {
    const file = hash32(seed, 9, k) % files;
    const parent = fileParent[file]!;
    const owner = parent < 0 ? rootOwnerOf(parent) : folderOwner[parent]!;
    const who = pickCollaborator(owner);
    const role = rng.pick(['editor', 'viewer', 'previewer'] as const);
    out.push({ kind: 'file', index: file, ...who, role, createdBy: owner, createdAt });
  }
  return out;
}
