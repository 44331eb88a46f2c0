/**
 * The commonest of secretlint's recommended rules (10.2), run in-house with their own patterns,
 * built-in ignores, ranges and message data: secretlint spends ~15-30 µs on each message it reports,
 * far more than the patterns cost, and in a file full of keys that was most of the inspection.
 * secretlint-rule-aws is copied as far as this library reads it (its account-ID messages are not
 * reported, so that pattern is skipped). The test compares each with secretlint's rule on the corpus.
 */

/** The part of a secretlint message this library reads. */
export interface RuleMessage {
  readonly ruleId: string;
  readonly messageId: string;
  readonly range: readonly [number, number];
  readonly data?: Record<string, unknown>;
}

/** secretlint-rule-aws's id. */
export const AWS_RULE = '@secretlint/secretlint-rule-aws';
const GITHUB_RULE = '@secretlint/secretlint-rule-github';
const SLACK_RULE = '@secretlint/secretlint-rule-slack';

// The rule's patterns, verbatim (reportAWSAccessKey, reportAWSSecretAccessKey).
const ACCESS_KEY_ID = /\b(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/g;
const QUOTE = `["']?`;
const AWS = '(?:AWS|aws|Aws)?_?';
const CONNECT = '\\s*(?::|=>|=)\\s*';
const SECRET_ACCESS_KEY = new RegExp(
  String.raw`${QUOTE}${AWS}(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)${QUOTE}${CONNECT}${QUOTE}([A-Za-z0-9/\+=]{40})${QUOTE}\b`,
  'g',
);

// The AWS documentation's examples, which the rule never reports.
const IGNORED_ID = 'AKIAIOSFODNN7EXAMPLE';
const IGNORED_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** The messages secretlint's AWS rule (key IDs on) gives for `content` that this library reads, in its order. */
function awsKeyMessages(content: string): RuleMessage[] {
  const messages: RuleMessage[] = [];
  for (const m of content.matchAll(ACCESS_KEY_ID)) {
    if (m[0] === IGNORED_ID) continue;
    messages.push({
      ruleId: AWS_RULE,
      messageId: 'AWSAccessKeyID',
      range: [m.index, m.index + m[0].length],
      data: { ID: m[0] },
    });
  }
  for (const m of content.matchAll(SECRET_ACCESS_KEY)) {
    const key = m[1] ?? '';
    if (key === IGNORED_SECRET) continue;
    // The rule's range: where the match starts, as long as the key (locate() finds the key itself).
    messages.push({
      ruleId: AWS_RULE,
      messageId: 'AWSSecretAccessKey',
      range: [m.index, m.index + key.length],
      data: { KEY: key },
    });
  }
  return messages;
}

// secretlint-rule-github's patterns, verbatim, and its type names.
const GITHUB_PATTERNS = [
  /(?<type>ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}/g,
  /(?<type>github_pat)_[A-Za-z0-9_]{82}/g,
];
const GITHUB_TYPES = new Map([
  ['ghp', 'GitHub personal access tokens'],
  ['gho', 'OAuth access tokens'],
  ['ghu', 'GitHub user-to-server tokens'],
  ['ghs', 'GitHub server-to-server tokens'],
  ['ghr', 'refresh tokens'],
  ['github_pat', 'fine-grained personal access tokens'],
]);

function githubMessages(content: string): RuleMessage[] {
  const messages: RuleMessage[] = [];
  for (const pattern of GITHUB_PATTERNS) {
    for (const m of content.matchAll(pattern)) {
      messages.push({
        ruleId: GITHUB_RULE,
        messageId: 'GITHUB_TOKEN',
        range: [m.index, m.index + m[0].length],
        data: { KEY: m[0], typeName: GITHUB_TYPES.get(m.groups?.type ?? '') },
      });
    }
  }
  return messages;
}

// secretlint-rule-slack's patterns, verbatim.
const SLACK_TOKEN = /\b(?:xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-(?:\d-)?(?:[a-zA-Z0-9]{1,40}-)+[a-zA-Z0-9]{1,40}\b/g;
const SLACK_WEBHOOK =
  /https:\/\/hooks\.slack\.com\/services\/T[a-zA-Z0-9]{1,40}\/B[a-zA-Z0-9]{1,40}\/[a-zA-Z0-9]{1,40}/gi;

function slackMessages(content: string): RuleMessage[] {
  const messages: RuleMessage[] = [];
  for (const m of content.matchAll(SLACK_TOKEN)) {
    const range = [m.index, m.index + m[0].length] as const;
    messages.push({ ruleId: SLACK_RULE, messageId: 'SLACK_TOKEN', range, data: { TOKEN: m[0] } });
  }
  for (const m of content.matchAll(SLACK_WEBHOOK)) {
    const range = [m.index, m.index + m[0].length] as const;
    messages.push({ ruleId: SLACK_RULE, messageId: 'IncomingWebhook', range, data: { URL: m[0] } });
  }
  return messages;
}

/** The rules run in-house, by id: each gives the messages of secretlint's rule for a content. */
export const IN_HOUSE_RULES: ReadonlyMap<string, (content: string) => RuleMessage[]> = new Map([
  [AWS_RULE, awsKeyMessages],
  [GITHUB_RULE, githubMessages],
  [SLACK_RULE, slackMessages],
]);
