import type { FastifyRequest } from 'fastify';
import type { AuditOutcome, AuditRepository } from '../../store/audit-repository';

/** Who an audit entry of the console is about when nobody is signed in yet. */
export interface ConsoleActor {
  userId: string | null;
  login: string;
}

/**
 * Records a console decision (sign-in, lockout, sign-out, token changes) in the audit log, with the
 * request's route, method and client address. The actor is the signed-in user, else the given one (the
 * account a sign-in was for), else 'anonymous'. Never put a secret (password, token, code) in `detail`.
 */
export async function auditConsole(
  audit: AuditRepository,
  req: FastifyRequest,
  entry: {
    action: string;
    outcome: AuditOutcome;
    status: number;
    target?: string;
    actor?: ConsoleActor;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  const session = req.consoleSession;
  const actor = session ? { userId: session.user.id, login: session.user.login } : entry.actor;
  // Not caught: a sign-in that cannot be audited fails (500) rather than happening unrecorded.
  await audit.record({
    actorKind: session || entry.outcome === 'ok' ? 'session' : 'anonymous',
    actorUserId: actor?.userId ?? null,
    actorLogin: actor?.login ?? 'anonymous',
    action: entry.action,
    target: entry.target ?? null,
    method: req.method,
    route: req.routeOptions.url ?? null,
    ip: req.ip,
    outcome: entry.outcome,
    status: entry.status,
    detail: entry.detail ?? null,
  });
}
