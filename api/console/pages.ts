import { escapeHtml } from '../html-page';

/** HTML that is already escaped (built by the helpers of this file). */
export interface Html {
  readonly html: string;
}

/** Marks a string as HTML built from escaped parts. */
function raw(html: string): Html {
  return { html };
}

/** A template literal whose interpolated values are escaped unless they are Html. */
export function html(strings: TemplateStringsArray, ...values: Array<Html | string | number>): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += typeof v === 'object' ? v.html : escapeHtml(String(v));
    out += strings[i + 1] ?? '';
  });
  return raw(out);
}

/** Joins escaped fragments. */
export function join(parts: Html[]): Html {
  return raw(parts.map((p) => p.html).join(''));
}

/** The hidden CSRF field every console form carries. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.5rem}
h1{font-size:1.5rem}h1.error{color:#a3262a}label{display:block;margin:.6rem 0 .2rem}
input[type=text],input[type=password],input[type=number],select{width:20rem;max-width:100%;padding:.35rem}
button{margin-top:.8rem;padding:.35rem .9rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.35rem;text-align:left}
.notice{background:#f4f4f4;padding:.8rem;border-radius:6px}.error-text{color:#a3262a}
code.secret{display:block;word-break:break-all;background:#fff8d6;padding:.6rem;font-size:1.05rem}
form.inline{display:inline}
nav{display:flex;flex-wrap:wrap;gap:1rem;padding:.5rem 0;border-bottom:1px solid #eee}nav a[aria-current]{font-weight:600}`;

/**
 * The console's sections, in the order of its navigation bar: each is a page of its own under /console.
 * `id` is the link's element id (`nav-<id>`), which browser tests click.
 */
export const CONSOLE_SECTIONS = [
  { id: 'home', href: '/console', label: 'Home' },
  { id: 'apps', href: '/console/apps', label: 'Connected apps' },
  { id: 'files', href: '/console/files', label: 'Files' },
  { id: 'findings', href: '/console/findings', label: 'Findings' },
  { id: 'activity', href: '/console/activity', label: 'Activity log' },
  { id: 'governance', href: '/console/governance', label: 'Governance' },
] as const;

/** The id of one of CONSOLE_SECTIONS. */
export type ConsoleSection = (typeof CONSOLE_SECTIONS)[number]['id'];

function navigation(current?: ConsoleSection): Html {
  return html`<nav>
    ${join(
      CONSOLE_SECTIONS.map((s) =>
        s.id === current
          ? html`<a id="nav-${s.id}" href="${s.href}" aria-current="page">${s.label}</a>`
          : html`<a id="nav-${s.id}" href="${s.href}">${s.label}</a>`,
      ),
    )}
  </nav>`;
}

/**
 * A console page: small and self-contained (inline style, no script, nothing loaded from elsewhere), as
 * the console's CSP allows (`default-src 'none'; style-src 'unsafe-inline'; form-action 'self'`).
 * `signedIn` adds the header with who is signed in and the sign-out button.
 */
export function consolePage(input: {
  title: string;
  body: Html;
  signedIn?: { login: string; role: string; csrf: string };
  error?: boolean;
  head?: Html;
  /** The section of the navigation bar this page belongs to (shown to signed-in users only). */
  section?: ConsoleSection;
}): string {
  const header = input.signedIn
    ? html`<header>
          <a href="/console">connect-box console</a
          ><span>
            <span id="who">${input.signedIn.login}</span> (<span id="signed-in-role"
              >${input.signedIn.role}</span
            >)
            <form class="inline" method="post" action="/console/sign-out">
              ${csrfField(input.signedIn.csrf)}<button id="sign-out" type="submit">Sign out</button>
            </form>
          </span>
        </header>
        ${navigation(input.section)}`
    : html`<header><span>connect-box console</span></header>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)} - connect-box</title>
<meta name="referrer" content="no-referrer">${input.head?.html ?? ''}
<style>${STYLE}</style>
</head><body>${header.html}<main><h1 id="title"${input.error ? ' class="error"' : ''}>${escapeHtml(input.title)}</h1>
${input.body.html}</main></body></html>`;
}

/** A console problem page: what happened, the problem type, what to do next. */
export function problemPage(input: {
  title: string;
  code: string;
  status: number;
  detail: string;
  nextStep?: string;
  next?: { href: string; text: string };
}): string {
  const next = input.next
    ? html`<p><a id="next" href="${input.next.href}">${input.next.text}</a></p>`
    : raw('');
  const step = input.nextStep
    ? html`<p class="notice"><strong>What to do next:</strong> ${input.nextStep}</p>`
    : raw('');
  return consolePage({
    title: input.title,
    error: true,
    body: html`<p id="message">${input.detail}</p>
      ${step}${next}
      <p>
        <small
          >Problem type <a href="/problems/${input.code}"><code>/problems/${input.code}</code></a
          >, HTTP ${input.status}.</small
        >
      </p>`,
  });
}
