import type { FastifyReply, FastifyRequest } from 'fastify';
import { consolePage, type ConsoleSection, type Html } from './pages';

/** The CSRF token of the request's session, for the forms of the page being built. */
export function csrfOf(req: FastifyRequest, reply: FastifyReply): string {
  return reply.generateCsrf({ userInfo: `session:${req.consoleSession!.idHash}` });
}

/**
 * Sends a signed-in console page: the header (who, sign out), the navigation bar with `section` marked,
 * and `body`. `csrf` is the token the body's forms carry (one is generated when not given); `head` goes
 * into the page's head (e.g. a meta refresh).
 */
export function sendConsolePage(
  req: FastifyRequest,
  reply: FastifyReply,
  page: { title: string; body: Html; section?: ConsoleSection; csrf?: string; head?: Html },
): FastifyReply {
  const session = req.consoleSession!;
  const csrf = page.csrf ?? csrfOf(req, reply);
  return reply.type('text/html; charset=utf-8').send(
    consolePage({
      title: page.title,
      body: page.body,
      section: page.section,
      head: page.head,
      signedIn: { login: session.user.login, role: session.user.role, csrf },
    }),
  );
}

/** A time as the console shows it: `2026-12-03 08:37 UTC`. */
export function utc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
