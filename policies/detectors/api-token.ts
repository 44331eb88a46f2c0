import { matchesAt, stickyCopy } from './candidate-scan';
import type { Detection, Detector } from './detection';
import type { LiteralProbe } from './literal-hits';
import { startsNearLiterals } from './literal-hits';

const JWT =
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g;
const JWT_PROBES: readonly LiteralProbe[] = [{ literal: 'eyJ', back: 0, by: 'J' }];

// The token of jwt.io's debugger, copied into countless tutorials.
const DOCUMENTATION_JWT_SIGNATURE = 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

// key = value where the key names a credential, as gitleaks' generic-api-key rule does.
const ASSIGNMENT =
  /(?:api[_-]?key|api[_-]?token|access[_-]?token|auth[_-]?token|client[_-]?secret|secret[_-]?key|private[_-]?token|bearer)(?:\\?["'])*\s*(?:[:=]|=>|\s)\s*(?:\\?["'])*([A-Za-z0-9_\-+/=.]{20,128})(?![A-Za-z0-9_\-+/=])/gi;
// Where each key name holds one of these (lower-cased), and how far from its start (its separator
// may be absent): api_key and secret_key "key", the four tokens "ken", client_secret "secret", "bearer".
const either = (name: string) => [name.length - 1, name.length]; // `name` ends with its separator
const ASSIGNMENT_PROBES: readonly LiteralProbe[] = [
  { literal: 'key', ignoreCase: true, back: [...either('api_'), ...either('secret_')], by: 'k' },
  {
    literal: 'ken',
    ignoreCase: true,
    back: ['api_to', 'access_to', 'auth_to', 'private_to'].flatMap(either),
    by: 'k',
  },
  { literal: 'secret', ignoreCase: true, back: either('client_') },
  { literal: 'bearer', ignoreCase: true, back: 0 },
];
const JWT_STICKY = stickyCopy(JWT);
const ASSIGNMENT_STICKY = stickyCopy(ASSIGNMENT);

/** The matches of a global `pattern`, tried only near the hits of `probes` when they can be known. */
function matchesNear(
  text: string,
  pattern: RegExp,
  sticky: RegExp,
  probes: readonly LiteralProbe[],
): Iterable<RegExpMatchArray & { index: number }> {
  const starts = startsNearLiterals(text, probes);
  return starts ? matchesAt(text, sticky, starts) : text.matchAll(pattern);
}

// Words that mark a value as an example to replace, not a credential.
const PLACEHOLDER = /your|example|sample|placeholder|changeme|dummy|here|xxxx|redacted|fake/i;

/**
 * Generic API tokens: JSON Web Tokens (three base64url parts whose header decodes to JSON with an
 * "alg"), and values assigned to a credential-named key whose Shannon entropy reaches 3.5 bits per
 * character with letters and digits mixed, so placeholders ("your_api_key_here", "xxxx...") pass by.
 */
export const apiTokenDetector: Detector = {
  ids: ['api_token'],
  find(text) {
    const found: Detection[] = [];
    for (const m of matchesNear(text, JWT, JWT_STICKY, JWT_PROBES)) {
      if (!isJwt(m[0])) continue;
      found.push({
        detector: 'api_token',
        value: m[0],
        start: m.index,
        end: m.index + m[0].length,
        likelihood: 'very_likely',
      });
    }
    for (const m of matchesNear(text, ASSIGNMENT, ASSIGNMENT_STICKY, ASSIGNMENT_PROBES)) {
      const value = m[1]!;
      if (value.startsWith('eyJ') || PLACEHOLDER.test(value) || !looksRandom(value)) continue;
      const start = m.index + m[0].lastIndexOf(value);
      found.push({ detector: 'api_token', value, start, end: start + value.length, likelihood: 'likely' });
    }
    return found;
  },
};

// Decoding is the cost, and a file repeats its tokens: verdicts are cached by token.
const jwtVerdicts = new Map<string, boolean>();

function isJwt(token: string): boolean {
  let verdict = jwtVerdicts.get(token);
  if (verdict === undefined) {
    verdict = decodesAsJwt(token);
    if (jwtVerdicts.size >= MAX_CACHED_VERDICTS) jwtVerdicts.clear();
    jwtVerdicts.set(token, verdict);
  }
  return verdict;
}

function decodesAsJwt(token: string): boolean {
  const [header, payload, signature] = token.split('.');
  if (signature === DOCUMENTATION_JWT_SIGNATURE) return false;
  try {
    const h = JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as unknown;
    const p = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as unknown;
    return typeof h === 'object' && h !== null && 'alg' in h && typeof p === 'object' && p !== null;
  } catch {
    return false;
  }
}

/** True for a value with letters and digits mixed and at least 3.5 bits of entropy per character. */
export function looksRandom(value: string): boolean {
  if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) return false;
  let verdict = randomVerdicts.get(value);
  if (verdict === undefined) {
    verdict = entropyOf(value) >= 3.5;
    if (randomVerdicts.size >= MAX_CACHED_VERDICTS) randomVerdicts.clear();
    randomVerdicts.set(value, verdict);
  }
  return verdict;
}

// A file repeats its tokens (a config copied about): verdicts are cached by value.
const randomVerdicts = new Map<string, boolean>();
const MAX_CACHED_VERDICTS = 10_000;

function entropyOf(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}
