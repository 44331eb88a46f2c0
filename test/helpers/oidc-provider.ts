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
