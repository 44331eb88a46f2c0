/**
 * secretlint-rule-aws (10.2, in the recommended preset) as far as this library reads it: the access
 * key ID and secret access key messages, with the rule's own patterns, built-in ignores and ranges.
 * Its third pattern (account IDs) is skipped: those messages are not reported. Run in-house because
 * secretlint spends ~15-30 µs on each message it reports, more than the patterns cost: in a file full
 * of keys that was most of the inspection. The test compares it with the rule on the corpus.
 */

/** The part of a secretlint message this library reads. */
export interface RuleMessage {
  readonly ruleId: string;
  readonly messageId: string;
  readonly range: readonly [number, number];
  readonly data?: Record<string, unknown>;
}

/** The rule's id. */
export const AWS_RULE = '@secretlint/secretlint-rule-aws';

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
export function awsKeyMessages(content: string): RuleMessage[] {
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
