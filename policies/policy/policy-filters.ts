import type { FileFacts } from './file-facts';
import type { PolicyFilters } from './policy-schema';

/** True when the file passes every filter the policy sets (a policy without filters takes every file). */
export function passesFilters(filters: PolicyFilters, file: FileFacts): boolean {
  if (filters.accessLevels && !filters.accessLevels.includes(file.accessLevel)) return false;
  if (
    filters.extensions &&
    !filters.extensions.some((e) => e.toLowerCase().replace(/^\./, '') === file.extension)
  ) {
    return false;
  }
  if (filters.owners) {
    const owner = file.ownerLogin?.toLowerCase();
    if (owner === undefined || !filters.owners.some((o) => o.toLowerCase() === owner)) return false;
  }
  if (filters.folderPaths) {
    if (file.path === undefined) return false;
    const path = normalizeFolder(file.path);
    if (!filters.folderPaths.some((f) => isWithin(path, normalizeFolder(f)))) return false;
  }
  if (filters.minSizeBytes !== undefined && file.size < filters.minSizeBytes) return false;
  if (filters.maxSizeBytes !== undefined && file.size > filters.maxSizeBytes) return false;
  return true;
}

// Box folder names are case-insensitive: "/HR" and "/hr" are one folder.
function normalizeFolder(path: string): string {
  const trimmed = path.trim().toLowerCase().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function isWithin(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}
