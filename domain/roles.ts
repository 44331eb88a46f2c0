import { z } from 'zod';

/**
 * The roles of people and tokens, weakest first: a viewer reads, an analyst also acts on files, findings and
 * governance, an admin also connects, disconnects and manages accounts, policies and the audit.
 */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;

/** One of ROLES. */
export type Role = (typeof ROLES)[number];

/** A role as input (API bodies, CLI arguments, OIDC claims mapped to a role). */
export const RoleSchema = z.enum(ROLES);

/** True when a principal of role `have` may call a route that needs `need` (admin > analyst > viewer). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The weaker of two roles (a token's role as its owner's role now caps it). */
export function weakerRole(a: Role, b: Role): Role {
  return roleAllows(a, b) ? b : a;
}

/** True when the text is one of ROLES. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
