import type { FastifyRequest } from 'fastify';
import type { Role } from '../domain/roles';

/**
 * Who is calling: the bootstrap API_TOKEN (an admin that is no user), a user's personal API token, or a
 * user's console session. Set by the /api scope's auth hook (and by the console's session hook).
 */
export interface Principal {
  kind: 'api-token' | 'personal-token' | 'session';
  /** null for the bootstrap API_TOKEN. */
  userId: string | null;
  /** 'api-token' for the bootstrap token. */
  login: string;
  role: Role;
  /** The personal token's id (kind 'personal-token'). */
  tokenId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set once the request's credential was accepted. */
    principal?: Principal;
  }
}

/** The principal of the bootstrap API_TOKEN. */
export const BOOTSTRAP_PRINCIPAL: Principal = Object.freeze({
  kind: 'api-token',
  userId: null,
  login: 'api-token',
  role: 'admin',
});

/** The principal of a request that passed the auth hook (throws when called before it). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error('principalOf: no principal (called outside an authenticated scope)');
  return req.principal;
}
