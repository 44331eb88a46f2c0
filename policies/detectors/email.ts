import type { Detection, Detector } from './detection';
import type { DetectorSettings } from './detector-settings';

const LOCAL_CHAR = /[A-Za-z0-9._%+'-]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/;

// Names that look like "logo@2x.png": retina image names, not mailboxes.
const FILE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'bmp',
  'ico',
  'css',
  'js',
  'pdf',
]);
// RFC 2606 / 6761 reserved names: examples in documentation, never a real mailbox (unless the policy
// file's detectorSettings.email.ignoreReservedDomains is false).
const RESERVED = /(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost|local)$/i;

/**
 * Email addresses. Scans from each `@` outwards (much faster than a regex tried at every offset),
 * then checks the RFC 5321 sizes, the dots of the local part and the labels of the domain; drops
 * image names and SSH remotes, and the domains the settings ignore (by default the reserved
 * documentation domains).
 */
export const emailDetector: Detector = {
  ids: ['email'],
  find(text, settings) {
    const ignored = ignoredDomains(settings.email);
    const found: Detection[] = [];
    let at = text.indexOf('@');
    while (at !== -1) {
      let start = at;
      while (start > 0 && at - start < 64 && LOCAL_CHAR.test(text[start - 1]!)) start--;
      let end = at + 1;
      while (end < text.length && end - at < 255 && DOMAIN_CHAR.test(text[end]!)) end++;
      while (end > at + 1 && /[.-]/.test(text[end - 1]!)) end--; // a sentence's full stop
      let local = text.slice(start, at);
      // 'jane@acme.com' in quotes: the opening quote is a delimiter, not an apostrophe (o'brien@).
      if (text[end] === "'" && local.includes("'")) local = local.slice(local.lastIndexOf("'") + 1);
      local = local.replace(/^[.'%+-]+/, '');
      const domain = text.slice(at + 1, end);
      // "git@github.com:acme/app.git" is an SSH remote (a path follows the colon), not a mailbox.
      const sshRemote = text[end] === ':' && /^[\w.~-]*(?:\/|\.git\b)/.test(text.slice(end + 1, end + 256));
      if (!sshRemote && !isUrlUserinfo(text, at) && isMailbox(local, domain) && !ignored(domain)) {
        const from = at - local.length;
        found.push({
          detector: 'email',
          value: text.slice(from, end),
          start: from,
          end,
          likelihood: 'likely',
        });
      }
      at = text.indexOf('@', end > at ? end : at + 1);
    }
    return found;
  },
};

/**
 * True when the `@` ends the user part of a URL (`postgres://app:pw@db`, `ftp://anonymous@host`):
 * a `://` in the same run of non-space characters before it.
 */
function isUrlUserinfo(text: string, at: number): boolean {
  // Backwards from the `@` to the run's start, at most 512 characters: a line with no tab was
  // otherwise searched 512 characters back for one.
  const from = Math.max(0, at - 512);
  for (let i = at - 1; i >= from; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9) return false;
    if (c === 58 && i + 2 < at && text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) return true;
  }
  return false;
}

/** A test for the domains whose addresses are not reported. */
function ignoredDomains(settings: DetectorSettings['email']): (domain: string) => boolean {
  const extra = settings.ignoreDomains;
  return (domain) => {
    if (settings.ignoreReservedDomains && RESERVED.test(domain)) return true;
    if (extra.length === 0) return false;
    const lower = domain.toLowerCase();
    return extra.some((d) => lower === d || lower.endsWith(`.${d}`));
  };
}

function isMailbox(local: string, domain: string): boolean {
  if (local.length === 0 || local.endsWith('.') || local.includes('..')) return false;
  if (!DOMAIN.test(domain) || domain.length > 253) return false;
  const tld = domain.slice(domain.lastIndexOf('.') + 1).toLowerCase();
  return !FILE_EXTENSIONS.has(tld);
}
