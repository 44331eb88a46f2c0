import type { AccessLevel } from './access-level';
import { widerAccessLevel } from './access-level';
import type { FileSharing } from './file-sharing';

/** Who can reach a file and why. */
export interface Exposure {
  readonly accessLevel: AccessLevel;
  /** Domains of external collaborators, sorted, without duplicates. */
  readonly externalDomains: readonly string[];
  /** One sentence a user can read: what made the file reach this level. */
  readonly reason: string;
}

/**
 * Classifies a file's sharing. An open shared link makes it public; a collaborator whose login is
 * outside the internal domains (or who has no login to check) makes it external; a company link,
 * an internal collaborator or a group (Box groups belong to the enterprise) makes it internal;
 * otherwise it is private. A collaborators-only link widens nothing by itself.
 */
export function evaluateExposure(sharing: FileSharing, internalDomains: readonly string[]): Exposure {
  const internal = internalDomains.map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean);
  let level: AccessLevel = 'private';
  const reasons: string[] = [];
  const external = new Set<string>();
  let unknownLogins = 0;

  const access = sharing.sharedLink?.access;
  if (access === 'open') {
    level = 'public';
    reasons.push('an open shared link lets anyone with the link reach it');
  } else if (access === 'company') {
    level = 'internal';
    reasons.push('a company shared link lets anyone in the enterprise reach it');
  }

  let internalCollaborators = 0;
  for (const c of sharing.collaborators) {
    if (c.type === 'group') {
      internalCollaborators++;
      continue;
    }
    const domain = loginDomain(c.login);
    if (domain === undefined) unknownLogins++;
    else if (isInternalDomain(domain, internal)) internalCollaborators++;
    else external.add(domain);
  }
  if (external.size > 0 || unknownLogins > 0) {
    level = widerAccessLevel(level, 'external');
    const named = [...external].sort();
    if (named.length > 0) reasons.push(`collaborators from external domains: ${named.join(', ')}`);
    if (unknownLogins > 0) reasons.push(`${unknownLogins} collaborator(s) without a login to check`);
  } else if (internalCollaborators > 0) {
    level = widerAccessLevel(level, 'internal');
    reasons.push(`${internalCollaborators} internal collaborator(s)`);
  }
  if (reasons.length === 0) reasons.push('shared with no one');
  return { accessLevel: level, externalDomains: [...external].sort(), reason: reasons.join('; ') };
}

function loginDomain(login: string | undefined): string | undefined {
  const at = login?.lastIndexOf('@') ?? -1;
  if (login === undefined || at < 1 || at === login.length - 1) return undefined;
  return login.slice(at + 1).toLowerCase();
}

// A subdomain of an internal domain (eu.corp.com under corp.com) is internal too.
function isInternalDomain(domain: string, internal: readonly string[]): boolean {
  return internal.some((d) => domain === d || domain.endsWith(`.${d}`));
}
