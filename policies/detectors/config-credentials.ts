import { looksRandom } from './api-token';
import { literalHits } from './literal-hits';
import { patternDetector } from './pattern-detector';

// Values a template or a tutorial writes in place of a password.
const PLACEHOLDER =
  /^(?:\$\{?[\w.-]+\}?|%[\w.-]+%|<[^>]*>|\{\{[^}]*\}\}|\*+|x+|\.+|null|none|true|false|required|optional|string|password|passwd|secret|changeme|change_me|example|redacted|hidden|masked|your[\w-]*|\?+)$/i;

/**
 * Database URLs that carry a password: `postgres://app:S3cret@db:5432/prod`, for PostgreSQL, MySQL,
 * MariaDB, MongoDB, Redis, AMQP, SQL Server, Oracle. The whole URL is the value (its masked form
 * keeps the shape); placeholders (`${DB_PASSWORD}`, `<password>`, `****`) are not credentials.
 */
export const databaseUrlDetector = patternDetector({
  id: 'database_url',
  candidate:
    /(?<![\w+.-])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|jdbc:[a-z]+):\/\/[^\s:/@'"`,;|<>()[\]{}]{1,128}:(?<password>[^\s@/'"`]{1,256})@[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[\w.-]*)?(?:\?[\w.=&%-]*)?/g,
  startsNear: schemeStarts,
  isValid: (_value, m) => !PLACEHOLDER.test(decodeURIComponentSafe(m.groups?.password ?? '')),
  base: 'very_likely',
});

/**
 * Where a URL's scheme can begin: every candidate holds `://` right after its scheme, written in
 * lower-case letters, `+` and `:` (`jdbc:mysql`), so the offsets of the run of those before each
 * `://` are all the starts there are.
 */
function schemeStarts(text: string): number[] | undefined {
  const starts: number[] = [];
  let previous = 0;
  for (const hit of literalHits(text, '://', false, '/') ?? []) {
    let from = hit;
    while (from > previous && isSchemeChar(text.charCodeAt(from - 1))) from--;
    for (let s = from; s < hit; s++) starts.push(s);
    previous = hit + 3;
  }
  return starts;
}

function isSchemeChar(c: number): boolean {
  return (c >= 97 && c <= 122) || c === 43 || c === 58;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Password assignments in configuration files: `password = ...`, `DB_PASSWORD: ...`, `"passwd": "..."`,
 * `pwd=...`. The value runs to whitespace, a quote or a delimiter; placeholders and bare words without
 * a digit or symbol (`password: required`) are not passwords unless long and random-looking.
 */
export const passwordAssignmentDetector = patternDetector({
  id: 'password_assignment',
  candidate:
    /(?:(?<![A-Za-z0-9])|(?<=[_.-]))(?:password|passwd|passphrase|pwd)\\?["']?\s*(?:=|:=|:|=>)\s*(?:\\?"(?<dq>[^"\\\r\n]{1,128})\\?"|\\?'(?<sq>[^'\\\r\n]{1,128})\\?'|(?<bare>[^\s"'\\,;|<>()[\]{}]{1,128}))/gi,
  anchors: [
    { literal: 'pass', ignoreCase: true, back: 0 },
    { literal: 'pwd', ignoreCase: true, back: 0 },
  ],
  valueIn: (m) => m.groups?.dq ?? m.groups?.sq ?? m.groups?.bare ?? '',
  isValid: (value) => {
    if (value.length < 6 || PLACEHOLDER.test(value) || /^(\S)\1+$/.test(value)) return false;
    return /[\d\W_]/.test(value) || (value.length >= 12 && looksRandom(value));
  },
  base: 'likely',
});
