import { looksRandom } from './api-token';
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
    /(?<![\w+.-])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|jdbc:[a-z]+):\/\/[^\s:/@'"`,;|<>()[\]{}]{1,128}:(?<password>[^\s@/'"`]{1,256})@[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[\w.-]*)?(?:\?[\w.=&%-]*)?/y,
  anchor: /postgres|mysql|mariadb|mongodb|redis|amqp|mssql|sqlserver|oracle|jdbc/g,
  mayContain: (text) => text.includes('://'),
  isValid: (_value, m) => !PLACEHOLDER.test(decodeURIComponentSafe(m.groups?.password ?? '')),
  base: 'very_likely',
});

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
    /(?:(?<![A-Za-z0-9])|(?<=[_.-]))(?:password|passwd|passphrase|pwd)\\?["']?\s*(?:=|:=|:|=>)\s*(?:\\?"(?<dq>[^"\\\r\n]{1,128})\\?"|\\?'(?<sq>[^'\\\r\n]{1,128})\\?'|(?<bare>[^\s"'\\,;|<>()[\]{}]{1,128}))/iy,
  anchor: /pass(?:word|wd|phrase)|pwd/gi,
  mayContain: (text) => /pass|pwd/i.test(text),
  valueIn: (m) => m.groups?.dq ?? m.groups?.sq ?? m.groups?.bare ?? '',
  isValid: (value) => {
    if (value.length < 6 || PLACEHOLDER.test(value) || /^(\S)\1+$/.test(value)) return false;
    return /[\d\W_]/.test(value) || (value.length >= 12 && looksRandom(value));
  },
  base: 'likely',
});
