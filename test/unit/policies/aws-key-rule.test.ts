import { awsKeyMessages } from '../../../policies/detectors/aws-key-rule';
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

/** What secretlint's own AWS rule reports (key IDs on), without account IDs, which are not read. */
async function secretlintAws(content: string) {
  const core = await importEsm<Core>('@secretlint/core');
  const preset = await importEsm<Preset>('@secretlint/secretlint-rule-preset-recommend');
  const rule = preset.rules.find((r) => r.meta.id === '@secretlint/secretlint-rule-aws')!;
  const result = await core.lintSource({
    source: { content, filePath: 'inspected-text.txt', ext: '.txt', contentType: 'text' },
    options: { config: { rules: [{ id: rule.meta.id, rule, options: { enableIDScanRule: true } }] } },
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
];

describe('the in-house AWS rule', () => {
  it.each([...POSITIVES, ...NEGATIVES].map((s) => s.text).concat(EDGES))(
    'gives the messages secretlint-rule-aws gives for %j',
    async (text) => {
      const ours = awsKeyMessages(text).map((m) => ({
        messageId: m.messageId,
        range: m.range,
        data: m.data,
      }));
      const theirs = await secretlintAws(text);
      const order = (a: { range: readonly number[] }, b: { range: readonly number[] }) =>
        a.range[0]! - b.range[0]!;
      expect([...ours].sort(order)).toEqual([...theirs].sort(order));
    },
  );
});
