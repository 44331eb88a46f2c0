import { IN_HOUSE_RULES } from '../../../policies/detectors/in-house-rules';
import { importEsm } from '../../../policies/esm-import';
import { NEGATIVES, POSITIVES } from '../../fixtures/corpus/labelled-samples';

interface Core {
  lintSource(
    input: unknown,
  ): Promise<{ messages: Array<{ messageId: string; range: number[]; data?: unknown }> }>;
}
interface Preset {
  rules: Array<{ meta: { id: string } }>;
}

/** What secretlint's own rule reports (AWS: key IDs on), without AWS account IDs, which are not read. */
async function secretlintRule(ruleId: string, content: string) {
  const core = await importEsm<Core>('@secretlint/core');
  const preset = await importEsm<Preset>('@secretlint/secretlint-rule-preset-recommend');
  const rule = preset.rules.find((r) => r.meta.id === ruleId)!;
  const options = ruleId === '@secretlint/secretlint-rule-aws' ? { enableIDScanRule: true } : {};
  const result = await core.lintSource({
    source: { content, filePath: 'inspected-text.txt', ext: '.txt', contentType: 'text' },
    options: { config: { rules: [{ id: rule.meta.id, rule, options }] } },
  });
  return result.messages
    .filter((m) => m.messageId !== 'AWSAccountID')
    .map((m) => ({ messageId: m.messageId, range: m.range, data: m.data }));
}

const EDGES = [
  'aws_access_key_id = AKIAIOSFODNN7EXAMPLE and AKIA2E0A8F3B244C9986',
  'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
  "'aws_secret_access_key': 'Zx9Pq2Lm4Nb6Vc8Xa1Sd3Fg5Hj7Kl0QwErTyUiOp'",
  'SecretAccessKey =>\n   Zx9Pq2Lm4Nb6Vc8Xa1Sd3Fg5Hj7Kl0QwErTyUiOpXYZ',
  'xAKIA2E0A8F3B244C9986 AKIA2E0A8F3B244C99861 A3TXABCDEFGHIJKLMNOP ASIAAKIA2E0A8F3B244C',
  'secret_key=Zx9Pq2Lm4Nb6Vc8Xa1Sd3Fg5Hj7Kl0QwErTyUiOp aws_account_id = 1234-5678-9012',
  'ghp_R4nd0mT0k3nF0rC0rpu5Xy9Zq8Wv7Ut6Sr5Q_and_more gho_short github_pat_' + 'A1b2'.repeat(21),
  'xoxb-1-2 xoxp-293847561029-Ab3 xapp-1-A-B axoxb-12-34 xoxr--1',
  'HTTPS://HOOKS.SLACK.COM/services/T0123/B0456/abcDEF and https://hooks.slack.com/services/T1/B2/c3',
];

describe.each([...IN_HOUSE_RULES])('the in-house %s', (ruleId, messagesOf) => {
  it.each([...POSITIVES, ...NEGATIVES].map((s) => s.text).concat(EDGES))(
    'gives the messages secretlint gives for %j',
    async (text) => {
      const ours = messagesOf(text).map((m) => ({ messageId: m.messageId, range: m.range, data: m.data }));
      const theirs = await secretlintRule(ruleId, text);
      const order = (a: { messageId: string; range: readonly number[] }, b: typeof a) =>
        a.range[0]! - b.range[0]! || a.messageId.localeCompare(b.messageId);
      expect([...ours].sort(order)).toEqual([...theirs].sort(order));
    },
  );
});
