/**
 * What keeps secrets out of log lines (docs/operators.md, "Logs"): tokens, OAuth codes and states, webhook
 * signatures, passwords and unmasked samples. Two passes, both needed: fields named like a secret are
 * censored at any depth (objects, arrays, errors and their causes) before the line is built, and the
 * finished line is searched for secrets inside text (an error message that quotes a URL, a header or a
 * JSON body).
 */

/** What a censored value becomes. */
export const CENSOR = '[redacted]';

/**
 * Field names (compared without case, `-` and `_`) whose values are never written, at any depth. Headers
 * are here too: Authorization, Cookie, Box's webhook signatures, API keys.
 */
export const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'accessToken',
  'refreshToken',
  'idToken',
  'clientSecret',
  'code',
  'state',
  'password',
  'passwordHash',
  'secret',
  'token',
  'apiKey',
  'x-api-key',
  'signature',
  'box-signature-primary',
  'box-signature-secondary',
  'webhookPrimaryKey',
  'webhookSecondaryKey',
  'encryptionKey',
  'csrf',
  'session',
  // The SDK's activity lines: a task token lets its holder complete or fail the activity.
  'taskToken',
];

const normal = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
const SECRET_KEYS = new Set(SECRET_FIELDS.map(normal));

/** Names that are also everyday fields: an error's `code`, a worker's `state`. Their value decides. */
const AMBIGUOUS = new Set(['code', 'state']);

/**
 * A value of `code` or `state` that is a name (ECONNREFUSED, ERR_INVALID_URL, invalid_grant, RUNNING, 404),
 * not an OAuth code or state: those are random letters and digits, or signed.
 */
function isPlainName(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'string') return false;
  return /^[A-Z][A-Z0-9_]*$/.test(value) || (/^[a-z]+(_[a-z]+)*$/.test(value) && value.length <= 40);
}

/** True when a field of this name holds a secret (for `code` and `state`, unless the value is a name). */
export function isSecretField(name: string, value: unknown): boolean {
  const key = normal(name);
  if (!SECRET_KEYS.has(key)) return false;
  return !(AMBIGUOUS.has(key) && isPlainName(value));
}

const MAX_DEPTH = 8;

/** An error as a plain object (type, message, stack, its own fields, cause), each part redacted. */
function errorObject(err: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: redactText(err.message) };
  if (err.stack) out.stack = redactText(err.stack);
  for (const [k, v] of Object.entries(err)) {
    if (k === 'message' || k === 'stack') continue;
    out[k] = isSecretField(k, v) ? CENSOR : redactValue(v, seen, depth + 1);
  }
  if (err.cause !== undefined && !('cause' in out)) out.cause = redactValue(err.cause, seen, depth + 1);
  return out;
}

/**
 * `value` with every field named like a secret censored, at any depth, errors turned into plain objects
 * (so their own fields are searched too) and strings searched for secrets in text. Cycles and depths past
 * 8 are cut. Never changes `value` itself.
 */
export function redactValue(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return errorObject(value, seen, depth);
    if (Array.isArray(value)) return value.map((v) => redactValue(v, seen, depth + 1));
    if (value instanceof Date) return value;
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
    const out: Record<string, unknown> = {};
    // A sample kept unmasked (a policy's `masking: none`) is a raw sensitive value.
    const unmasked = (value as { unmasked?: unknown }).unmasked === true;
    for (const [k, v] of Object.entries(value)) {
      if (isSecretField(k, v) || (unmasked && k === 'masked')) out[k] = CENSOR;
      else out[k] = redactValue(v, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Names that, written `name=value` (a query string, a form body, an env dump), carry a secret. */
const PARAM_NAMES =
  'access_token|refresh_token|id_token|client_secret|code|state|token|password|secret|signature|api_key|apikey|session';
const TEXT_PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values: Bearer and Basic credentials (not the words in a sentence).
  [/\b(bearer)(\s+|%20|\+)[A-Za-z0-9._~+/=-]{16,}/gi, `$1$2${CENSOR}`],
  [/\b(Basic)(\s+|%20|\+)(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{12,}={0,2}/g, `$1$2${CENSOR}`],
  // name=value in a URL or a form: code=..., &state=..., access_token=...
  [new RegExp(`(^|[^A-Za-z0-9_])(${PARAM_NAMES})=[^&\\s"'\\\\,;)]+`, 'gi'), `$1$2=${CENSOR}`],
  // "name":"value" in JSON, also as escaped inside a JSON string (\"name\":\"value\").
  [
    /(\\?"(?:access_?token|refresh_?token|id_?token|client_?secret|password|secret|token|signature|authorization|cookie|box-signature-(?:primary|secondary))\\?"\s*:\s*\\?")(?:[^"\\]|\\[^"])*(\\?")/gi,
    `$1${CENSOR}$2`,
  ],
  // Header lines: box-signature-primary: ..., cookie: ...
  [/\b(box-signature-(?:primary|secondary)|cookie|x-api-key)(\s*:\s*)[^\s,;"'\\]+/gi, `$1$2${CENSOR}`],
];

/** "code":"…" and "state":"…" in JSON: redacted unless the value is a name. */
const JSON_AMBIGUOUS = /(\\?"(?:code|state)\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)(\\?")/gi;

/** `text` with secrets written inside it (headers, query strings, JSON bodies) censored. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out.replace(JSON_AMBIGUOUS, (all, open: string, value: string, close: string) =>
    isPlainName(value) ? all : `${open}${CENSOR}${close}`,
  );
}
