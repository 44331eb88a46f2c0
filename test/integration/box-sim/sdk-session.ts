/** Helpers of the box-sim contract tests: consent over HTTP and box-node-sdk clients pointed at box-sim. */
import { BoxClient, BoxOAuth, OAuthConfig } from 'box-node-sdk';
import { InMemoryTokenStorage } from 'box-node-sdk/box';
import { BaseUrls, BoxRetryStrategy, NetworkSession } from 'box-node-sdk/networking';
import type { BoxSim } from '../../../box-sim';

/** Where the tests pretend the app's OAuth callback is. */
export const REDIRECT_URI = 'http://127.0.0.1:9/oauth/box/callback';

/** A network session on box-sim with fast retries (the SDK's own strategy, shorter waits). */
export function simSession(sim: BoxSim): NetworkSession {
  return new NetworkSession({
    baseUrls: new BaseUrls({ baseUrl: sim.baseUrl, uploadUrl: sim.uploadUrl, oauth2Url: sim.oauth2Url }),
    retryStrategy: new BoxRetryStrategy({ retryBaseInterval: 0.01, retryRandomizationFactor: 0 }),
  });
}

/** Drives the consent page like a browser: GET the page, POST the form; returns the redirect URL. */
export async function consent(
  sim: BoxSim,
  login: string,
  options: { action?: 'allow' | 'deny'; state?: string } = {},
): Promise<URL> {
  const page = await fetch(
    sim.authorizeUrl({ redirectUri: REDIRECT_URI, state: options.state ?? 'state-1' }),
  );
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(m[1]!, m[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"'));
  form.set('login', login);
  form.set('action', options.action ?? 'allow');
  const answer = await fetch(`${sim.oauth2Url}/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  if (answer.status !== 302)
    throw new Error(`consent POST answered ${answer.status}: ${await answer.text()}`);
  return new URL(answer.headers.get('location')!);
}

/** An authorized SDK client for an account, as connect-box would build it. */
export async function connectAs(
  sim: BoxSim,
  login: string,
): Promise<{ client: BoxClient; auth: BoxOAuth; session: NetworkSession; storage: InMemoryTokenStorage }> {
  const redirect = await consent(sim, login);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect.toString()}`);
  const storage = new InMemoryTokenStorage({});
  const auth = new BoxOAuth({
    config: new OAuthConfig({
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      tokenStorage: storage,
    }),
  });
  const session = simSession(sim);
  await auth.getTokensAuthorizationCodeGrant(code, session);
  return { client: new BoxClient({ auth, networkSession: session }), auth, session, storage };
}
