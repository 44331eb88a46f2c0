// Used by tests and by the demo: a browser's walk through the consent page, over HTTP.
/**
 * Drives box-sim's OAuth consent page over HTTP like a browser would: GET the page, POST the form with
 * the chosen account and button, and return the redirect Box sends the browser to.
 */
export async function clickThroughConsent(
  authorizeUrl: string,
  login: string,
  action: 'allow' | 'deny' = 'allow',
): Promise<URL> {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${await page.text()}`);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
    if (name) form.set(name, decodeEntities(value));
  }
  form.set('login', login);
  form.set('action', action);
  const target = new URL(
    /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '/api/oauth2/authorize',
    authorizeUrl,
  );
  const res = await fetch(target, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`consent form answered ${res.status}: ${await res.text()}`);
  return new URL(location);
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
