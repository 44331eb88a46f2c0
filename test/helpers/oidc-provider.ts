import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A client the local identity provider knows. */
export interface OidcFixtureClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

/** A running local OpenID Connect provider (test/fixtures/oidc/provider.mjs). */
export interface OidcFixture {
  issuer: string;
  /** Everything the provider wrote to stderr (its warnings and server errors). */
  stderr: string[];
  stop(): Promise<void>;
}

/**
 * Starts the local identity provider (oidc-provider) in its own process on a free loopback port, with the
 * given static clients and users (login -> claims, e.g. `{ name, email, connect_box_role: 'analyst' }`).
 */
export async function startOidcProvider(setup: {
  clients: OidcFixtureClient[];
  users: Record<string, Record<string, unknown>>;
}): Promise<OidcFixture> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'oidc', 'provider.mjs')], {
    env: { ...process.env, OIDC_FIXTURE: JSON.stringify(setup) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const issuer = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = /^listening (\S+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`the OIDC fixture exited (${code}) before listening:\n${stderr.join('')}`)),
    );
  });
  return { issuer, stderr, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Goes through the provider's login and consent pages without a browser (a cookie jar and the pages'
 * forms), for the given authorization URL and login; returns where the provider sends the browser back
 * (the redirect URI with `code`, `state` and `iss`, or an `error`).
 */
export async function authorizeAtProvider(authorizationUrl: string, login: string): Promise<URL> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const origin = new URL(authorizationUrl).origin;
  let url = new URL(authorizationUrl);
  let form: Record<string, string> | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (!url.href.startsWith(origin)) return url;
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    remember(res);
    form = undefined;
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url);
      continue;
    }
    const page = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="([a-z]+)"/.exec(page)?.[1];
    if (res.status !== 200 || !action || !prompt)
      throw new Error(`the provider answered ${res.status} at ${url.pathname}:\n${page.slice(0, 500)}`);
    form = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
    url = new URL(action, url);
  }
  throw new Error('authorizeAtProvider: too many steps');
}
