import { importEsm } from '../esm-import';
import type { RuleMessage } from './in-house-rules';
import { AWS_RULE, IN_HOUSE_RULES } from './in-house-rules';
import { matchesAt } from './candidate-scan';
import type { Detection, Detector } from './detection';
import type { DetectorId } from './detector-id';
import type { LiteralProbe } from './literal-hits';
import { literalHits, startsNearLiterals } from './literal-hits';

/** The part of secretlint's result this library reads. */
type SecretlintMessage = RuleMessage;

interface SecretlintCore {
  lintSource(input: {
    source: { content: string; filePath: string; ext: string; contentType: 'text' };
    options: { config: { rules: unknown[] }; maskSecrets?: boolean };
  }): Promise<{ messages: SecretlintMessage[] }>;
}

interface SecretlintProfiler {
  mark(marker: unknown): void;
}

interface SecretlintRule {
  readonly meta: { readonly id: string };
}

interface RecommendedPreset {
  readonly rules: readonly SecretlintRule[];
}

const PRIVATE_KEY_RULE = '@secretlint/secretlint-rule-privatekey';
// This rule honours "secretlint-disable" comments. Left out: a file's author must not be able to hide
// a secret from the scan. (Its rules are registered one by one, since secretlint 10.2 ignores
// `disabled` on a rule inside a preset.)
const FILTER_COMMENTS_RULE = '@secretlint/secretlint-rule-filter-comments';

const GCP_RULE = '@secretlint/secretlint-rule-gcp';

/**
 * A literal every recommended rule (10.2) needs in what it reports, by rule (case-sensitive as the
 * rules are; only the Slack webhook rule ignores case). Keep it in step with the rules when secretlint
 * is upgraded: the corpus has a positive per rule family.
 */
const RULE_LITERALS: ReadonlyArray<readonly [rule: string, literal: string]> = [
  [AWS_RULE, 'A3T|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA'], // access key IDs
  [AWS_RULE, '(?:SECRET|[Ss]ecret)_?(?:ACCESS|[Aa]ccess)_?(?:KEY|[Kk]ey)'], // secret keys
  [PRIVATE_KEY_RULE, 'PRIVATE KEY'],
  [GCP_RULE, 'private_key_id'],
  ['@secretlint/secretlint-rule-github', 'gh[pousr]_|github_pat_|x-oauth-basic@'],
  ['@secretlint/secretlint-rule-npm', '_authToken|npm_'],
  ['@secretlint/secretlint-rule-slack', 'xox[bpaor]-|xapp-|[hH][oO][oO][kK][sS]\\.[sS][lL][aA][cC][kK]\\.'],
  ['@secretlint/secretlint-rule-basicauth', '://[-a-zA-Z0-9_]{1,256}:[-a-zA-Z0-9_]{1,256}@'],
  ['@secretlint/secretlint-rule-openai', 'T3BlbkFJ'],
  ['@secretlint/secretlint-rule-linear', 'lin_api_'],
  ['@secretlint/secretlint-rule-sendgrid', 'SG\\.'],
  ['@secretlint/secretlint-rule-shopify', 'shp(?:pa|ca|at|ss)_'],
  ['@secretlint/secretlint-rule-1password', 'ops_'],
];

/**
 * Any rule's literal, in one pass, each literal a group of its own (RULE_LITERALS' order): text
 * without any of them cannot yield a message, so secretlint's rule passes are skipped (most prose and
 * tables), and a hit names the one rule to run around it.
 */
export const MAY_HOLD_SECRET = new RegExp(RULE_LITERALS.map(([, literal]) => `(${literal})`).join('|'));

/**
 * A literal in every match of MAY_HOLD_SECRET, at most `back` characters from the match's start, so
 * the pre-filter is tried only near their hits (literal-hits.ts) instead of at every offset: the
 * AWS key-ID prefixes, the `key` ending a secret access key's name, the tokens' prefixes spelled out.
 */
const PRE_FILTER_PROBES: readonly LiteralProbe[] = [
  // Looked up by few characters (one pass over the text each), most of them shared.
  ...['A3T', 'AKIA', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA', 'ASIA'].map((literal) => ({
    literal,
    back: 0,
    by: 'A',
  })),
  // SECRET, an optional _, ACCESS, an optional _, then KEY.
  { literal: 'key', ignoreCase: true, back: [12, 13, 14], by: 'k' },
  { literal: 'PRIVATE KEY', back: 0, by: 'K' },
  ...[
    'private_key_id',
    ...['p', 'o', 'u', 's', 'r'].map((c) => `gh${c}_`),
    'github_pat_',
    '_authToken',
    'npm_',
    'lin_api_',
    ...['pa', 'ca', 'at', 'ss'].map((c) => `shp${c}_`),
    'ops_',
  ].map((literal) => ({ literal, back: 0, by: '_' })),
  { literal: 'x-oauth-basic@', back: 0, by: '@' },
  { literal: 'xox', back: 0, by: 'x' },
  { literal: 'xapp-', back: 0, by: 'x' },
  { literal: '://', back: 0, by: '/' },
  { literal: 'T3BlbkFJ', back: 0, by: 'J' },
  { literal: 'SG.', back: 0, by: 'G' },
  { literal: 'hooks.slack.', ignoreCase: true, back: 0, by: 'k' },
];

const MAY_HOLD_SECRET_STICKY = new RegExp(MAY_HOLD_SECRET.source, 'y');
const MAY_HOLD_SECRET_ALL = new RegExp(MAY_HOLD_SECRET.source, 'g');

/** The pre-filter's hits in `text`, in order, as a global scan would find them. */
function preFilterHits(text: string): Iterable<RegExpExecArray> {
  const starts = startsNearLiterals(text, PRE_FILTER_PROBES);
  return starts ? matchesAt(text, MAY_HOLD_SECRET_STICKY, starts) : text.matchAll(MAY_HOLD_SECRET_ALL);
}

interface ConfiguredRule {
  readonly id: string;
}

let loaded: Promise<{ core: SecretlintCore; rules: ConfiguredRule[] }> | undefined;

function loadSecretlint(): Promise<{ core: SecretlintCore; rules: ConfiguredRule[] }> {
  loaded ??= (async () => {
    // secretlint's profiler records a performance mark for every rule of every lint and keeps them all,
    // searched linearly: in a scan worker the cost of each file grows with the files before it (43 ms
    // for "hello world" after 4,000 files) and so does memory. Nothing reads these marks: turn them off.
    const { secretLintProfiler } = await importEsm<{ secretLintProfiler: SecretlintProfiler }>(
      '@secretlint/profiler',
    );
    secretLintProfiler.mark = () => undefined;
    const core = await importEsm<SecretlintCore>('@secretlint/core');
    const preset = await importEsm<RecommendedPreset>('@secretlint/secretlint-rule-preset-recommend');
    const rules = preset.rules
      .filter((rule) => rule.meta.id !== FILTER_COMMENTS_RULE)
      .map((rule) => ({
        id: rule.meta.id,
        rule,
        // Access key IDs are off by default in secretlint; an exposed key ID is a finding for us.
        options: rule.meta.id === AWS_RULE ? { enableIDScanRule: true } : {},
      }));
    return { core, rules };
  })();
  return loaded;
}

/** Which of our detectors a secretlint message feeds; `undefined` for messages we do not report. */
function detectorFor(message: SecretlintMessage): DetectorId | undefined {
  if (message.ruleId === AWS_RULE) {
    if (message.messageId === 'AWSAccessKeyID') return 'aws_access_key';
    if (message.messageId === 'AWSSecretAccessKey') return 'aws_secret_key';
    return undefined; // an AWS account ID is an identifier, not a credential
  }
  if (message.ruleId === PRIVATE_KEY_RULE) return 'private_key';
  return 'api_token';
}

/**
 * Credentials by secretlint's recommended rules (10.x): AWS access key IDs and secret keys (the AWS
 * documentation examples are ignored), PEM private keys, and vendor tokens (GitHub, Slack, npm,
 * SendGrid, Shopify, OpenAI, Linear, 1Password, GCP service-account keys, basic auth in URLs) as
 * `api_token`. Their formats are specific, so every match is `very_likely`.
 */
export const secretlintDetector: Detector = {
  ids: ['aws_access_key', 'aws_secret_key', 'private_key', 'api_token'],
  async find(text) {
    const found: Detection[] = [];
    // Each rule lints only the windows around its own literals, all windows of a rule in one lint
    // (each lintSource call costs a fixed ~0.2 ms), joined by line breaks.
    for (const { rules, windows } of lintPlan(text)) {
      const starts: number[] = [];
      let joined = '';
      for (const [from, to] of windows) {
        starts.push(joined.length);
        joined += `${text.slice(from, to)}\n`;
      }
      for (const d of await lint(joined, rules)) {
        let w = starts.length - 1;
        while (w > 0 && starts[w]! > d.start) w--;
        const shift = windows[w]![0] - starts[w]!;
        found.push({ ...d, start: d.start + shift, end: d.end + shift });
      }
    }
    return found.sort((a, b) => a.start - b.start);
  },
};

// A match of every rule stays on the line of its literal, which is then its window, but for two: a
// PEM body runs up to 10,000 characters after its header (the private-key rule's own limit, and
// `\s?` may break the header's line), and the AWS secret-key rule allows line breaks between the
// key's name and its value (`\s*`): a name that ends its line with nothing but quotes, spaces and an
// operator takes the lines after it, up to AFTER_SECRET_NAME, the reach every hit had before. (npm's
// `_authToken=([^$].*)`, which could take a line break, runs on .npmrc files only, never here.)
const BEFORE_PEM_HIT = 128;
const AFTER_PEM_HIT = 10_600;
const AFTER_SECRET_NAME = 320;
const ONLY_CONNECTORS = /^[\s"'=:>]*$/;
const PEM_END = '-----END';

/** Which rules lint which windows of a text (see {@link lintPlan}). */
export interface LintTask {
  /** Rule ids; `undefined` for every rule. */
  readonly rules?: readonly string[];
  readonly windows: Array<[number, number]>;
}

/**
 * The parts of `text` each secretlint rule must see: the lines of the hits of its literals (and the
 * reach of the two rules whose matches span lines), merged where they touch, so a file with a key in its first lines is not linted to its
 * end, and a rule whose literals are absent is not run. A window is whole lines, so no secret spans
 * two. A `PRIVATE KEY` with no `-----END` after it within the private-key rule's reach cannot
 * start a key (the rule looks up to 10,000 characters ahead for it, which is its cost), so it opens no
 * window. The GCP rule parses the whole text as a service-account JSON, so a text naming
 * `private_key_id` is linted whole, by every rule.
 */
export function lintPlan(text: string): LintTask[] {
  if ((literalHits(text, 'private_key_id', false, '_') ?? [0]).length > 0) {
    return [{ windows: [[0, text.length]] }];
  }
  const byRule = new Map<string, Array<[number, number]>>();
  // Looked up by its rarest character, as the pre-filter's literals: a text with headers and no
  // `-----END` was otherwise read to its end by `indexOf`.
  let pemEnds: readonly number[] | undefined;
  let nextPemEnd = 0; // the first of pemEnds at or after the last private-key hit
  for (const hit of preFilterHits(text)) {
    let group = 1;
    while (hit[group] === undefined) group++;
    const rule = RULE_LITERALS[group - 1]![0];
    const hitEnd = hit.index + hit[0].length;
    let from = lineStart(text, hit.index);
    let to = lineEnd(text, hitEnd);
    if (rule === PRIVATE_KEY_RULE) {
      pemEnds ??= literalHits(text, PEM_END) ?? [];
      while (nextPemEnd < pemEnds.length && pemEnds[nextPemEnd]! < hit.index) nextPemEnd++;
      if ((pemEnds[nextPemEnd] ?? Number.MAX_SAFE_INTEGER) >= hitEnd + AFTER_PEM_HIT) continue;
      from = lineStart(text, Math.max(0, hit.index - BEFORE_PEM_HIT));
      to = lineEnd(text, Math.min(text.length, hitEnd + AFTER_PEM_HIT));
    } else if (hit[2] !== undefined && ONLY_CONNECTORS.test(text.slice(hitEnd, to))) {
      to = lineEnd(text, Math.min(text.length, hitEnd + AFTER_SECRET_NAME));
    }
    let windows = byRule.get(rule);
    if (!windows) byRule.set(rule, (windows = []));
    const last = windows[windows.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  return [...byRule].map(([rule, windows]) => ({ rules: [rule], windows }));
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at) + 1;
}

function lineEnd(text: string, at: number): number {
  const end = text.indexOf('\n', at);
  return end === -1 ? text.length : end;
}

async function lint(text: string, only: readonly string[] | undefined): Promise<Detection[]> {
  const content = unescapeQuotes(text);
  // The commonest rules run in-house (in-house-rules.ts), with the same messages.
  const inHouse = only?.length === 1 ? IN_HOUSE_RULES.get(only[0]!) : undefined;
  const messages = inHouse ? inHouse(content) : await secretlintMessages(content, only);
  const found: Detection[] = [];
  for (const message of messages) {
    const detector = detectorFor(message);
    if (!detector) continue;
    const { start, end } = locate(text, message);
    const raw = text.slice(start, end);
    found.push({
      detector,
      value: detector === 'private_key' ? pemBody(raw) : raw,
      start,
      end,
      likelihood: 'very_likely',
    });
  }
  return found;
}

async function secretlintMessages(
  content: string,
  only: readonly string[] | undefined,
): Promise<readonly SecretlintMessage[]> {
  const loaded = await loadSecretlint();
  const { core } = loaded;
  const rules = only ? loaded.rules.filter((r) => only.includes(r.id)) : loaded.rules;
  const result = await core.lintSource({
    // A neutral name: the private-key rule reads .p12 files from disk when the name ends so.
    source: { content, filePath: 'inspected-text.txt', ext: '.txt', contentType: 'text' },
    options: { config: { rules } },
  });
  return result.messages;
}

// The armour lines are the same for every key: the sample shows the end of the key material.
function pemBody(pem: string): string {
  return pem.replace(/-----(?:BEGIN|END)[^-]*-----/g, '').replace(/\s+/g, '') || pem;
}

/**
 * Where the secret itself is. Some rules report the range of the whole `key = value` match with the
 * length of the value only, so the value named in the message data is looked up from there.
 */
function locate(text: string, message: SecretlintMessage): { start: number; end: number } {
  const [start, end] = message.range;
  const value = Object.values(message.data ?? {}).find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  const at = value === undefined ? -1 : text.indexOf(value, start);
  return at !== -1 && at - start < 256 ? { start: at, end: at + value!.length } : { start, end };
}

/**
 * `key = "value"` as a CSV cell (`""value""`) or inside a JSON string (`\"value\"`): the doubled or
 * escaped quote becomes a space and a quote, so rules that expect one quote match, at the same offsets.
 */
export function unescapeQuotes(text: string): string {
  return text.replace(/\\"|""/g, ' "');
}
