import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes the policy file of a bench's `--policies` (exposure: the two exposure templates, no downloads;
 * otherwise every built-in template) into `dir` and returns its path.
 */
export function writeBenchPolicies(dir: string, policies: string | undefined): string {
  const file = join(dir, 'policies.yaml');
  writeFileSync(
    file,
    policies === 'exposure'
      ? 'version: 1\ntemplates: [exposure-public-link, exposure-external-users]\n'
      : 'version: 1\n',
  );
  return file;
}

/**
 * Builds the workflow bundle into `path` in another process (webpack's memory is not the bench's), as
 * `npm run build:workflows` does for a production worker.
 */
export function buildWorkflowBundle(path: string): string {
  const script = join(__dirname, '..', '..', 'workers', 'workflow-bundle.ts');
  execFileSync(process.execPath, [require.resolve('tsx/cli'), script, path], { stdio: 'ignore' });
  return path;
}

/** The code box-sim's consent page redirects with once `login` allows the connector's app. */
export async function simConsentCode(baseUrl: string, login: string): Promise<string> {
  const form = new URLSearchParams({
    client_id: 'box-sim-client-id',
    redirect_uri: 'http://127.0.0.1:3000/oauth/box/callback',
    response_type: 'code',
    state: 'bench',
    login,
    action: 'allow',
  });
  const res = await fetch(`${baseUrl}/api/oauth2/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const code = new URL(res.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (!code) throw new Error(`box-sim consent did not redirect with a code (${res.status})`);
  return code;
}
