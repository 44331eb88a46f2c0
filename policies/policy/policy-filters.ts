import type { FileFacts } from './file-facts';
import type { FileExclusions, PolicyFilters } from './policy-schema';

/** A policy as far as choosing its files goes. */
interface FileSelection {
  readonly filters: PolicyFilters;
  readonly excludeFiles?: FileExclusions;
}

/** True when the policy judges the file: it passes the policy's filters and no exclusion of the policy's. */
export function policyApplies(policy: FileSelection, file: FileFacts): boolean {
  return passesFilters(policy.filters, file) && !exclusionFor(policy.excludeFiles, file);
}

/** True when the file passes every filter the policy sets (a policy without filters takes every file). */
export function passesFilters(filters: PolicyFilters, file: FileFacts): boolean {
  if (filters.accessLevels && !filters.accessLevels.includes(file.accessLevel)) return false;
  if (filters.fileNames && !matchesName(filters.fileNames, file.name)) return false;
  if (filters.extensions && !matchesExtension(filters.extensions, file.extension)) return false;
  if (filters.owners && !matchesOwner(filters.owners, file.ownerLogin)) return false;
  if (filters.folderPaths && !matchesFolder(filters.folderPaths, file.path)) return false;
  if (filters.minSizeBytes !== undefined && file.size < filters.minSizeBytes) return false;
  if (filters.maxSizeBytes !== undefined && file.size > filters.maxSizeBytes) return false;
  return true;
}

/**
 * Which criterion of `exclusions` the file meets (`file name *.test.csv`), or undefined: any one
 * criterion excludes the file.
 */
export function exclusionFor(exclusions: FileExclusions | undefined, file: FileFacts): string | undefined {
  if (!exclusions) return undefined;
  const name = exclusions.fileNames?.find((p) => matchesName([p], file.name));
  if (name) return `file name ${name}`;
  const extension = exclusions.extensions?.find((e) => matchesExtension([e], file.extension));
  if (extension) return `extension ${extension}`;
  const folder = exclusions.folderPaths?.find((f) => matchesFolder([f], file.path));
  if (folder) return `folder ${folder}`;
  const owner = exclusions.owners?.find((o) => matchesOwner([o], file.ownerLogin));
  if (owner) return `owner ${owner}`;
  return undefined;
}

function matchesName(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => globRegex(p).test(name));
}

const globs = new Map<string, RegExp>();
// `*` any characters, `?` one, the rest literal, any case, the whole name.
function globRegex(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 'is');
    globs.set(pattern, re);
  }
  return re;
}

function matchesExtension(extensions: readonly string[], extension: string): boolean {
  return extensions.some((e) => e.toLowerCase().replace(/^\./, '') === extension);
}

function matchesOwner(owners: readonly string[], ownerLogin: string | undefined): boolean {
  const owner = ownerLogin?.toLowerCase();
  return owner !== undefined && owners.some((o) => o.toLowerCase() === owner);
}

function matchesFolder(folders: readonly string[], folderPath: string | undefined): boolean {
  if (folderPath === undefined) return false;
  const path = normalizeFolder(folderPath);
  return folders.some((f) => isWithin(path, normalizeFolder(f)));
}

// Box folder names are case-insensitive: "/HR" and "/hr" are one folder.
function normalizeFolder(path: string): string {
  const trimmed = path.trim().toLowerCase().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function isWithin(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}
