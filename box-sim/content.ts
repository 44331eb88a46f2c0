/**
 * File content, generated on demand from (seed, file index, version): realistic business text in the
 * file's format, with the planned sensitive values planted at deterministic places. Nothing is stored.
 */
import { docx, xlsx } from './ooxml';
import { pdf } from './pdf';
import { Rng, hash32, hashUnit } from './random';
import {
  SENSITIVE_KINDS,
  awsAccessKey,
  cardNumber,
  iban,
  invalidAwsAccessKey,
  invalidCardNumber,
  invalidIban,
  invalidSsn,
  notAnEmail,
  personalEmail,
  ssn,
  type SensitiveKind,
} from './sensitive-data';

/** File formats the generator produces. */
export const FILE_EXTENSIONS = ['txt', 'csv', 'md', 'json', 'log', 'docx', 'xlsx', 'pdf'] as const;
/** One generated file format. */
export type FileExtension = (typeof FILE_EXTENSIONS)[number];

/** What a file version contains, decided without generating it. */
export interface ContentPlan {
  readonly ext: FileExtension;
  /** Approximate size of the text before formatting, in bytes. */
  readonly targetSize: number;
  /** Planted sensitive values per kind (absent kinds: none). */
  readonly planted: Partial<Record<SensitiveKind, number>>;
  /** Near misses planted (values a correct detector must not report). */
  readonly negatives: number;
}

const EXT_WEIGHTS: ReadonlyArray<readonly [FileExtension, number]> = [
  ['txt', 0.22],
  ['csv', 0.14],
  ['md', 0.1],
  ['json', 0.1],
  ['log', 0.1],
  ['docx', 0.14],
  ['xlsx', 0.1],
  ['pdf', 0.1],
];

/** The extension of a generated file (fixed for its life). */
export function extensionFor(seed: number, fileIndex: number): FileExtension {
  let u = hashUnit(seed, 11, fileIndex);
  for (const [ext, w] of EXT_WEIGHTS) {
    if (u < w) return ext;
    u -= w;
  }
  return 'txt';
}

/** The plan of one version of one file. */
export function planContent(
  seed: number,
  fileIndex: number,
  version: number,
  ext: FileExtension,
): ContentPlan {
  const u = hashUnit(seed, 12, fileIndex, version);
  // Log-uniform 200 B .. 25 KB, with one file in 500 between 1 and 3 MB.
  const targetSize =
    hashUnit(seed, 13, fileIndex, version) < 0.002
      ? 1_000_000 + Math.floor(u * 2_000_000)
      : Math.floor(200 * Math.pow(2, u * 7));
  const planted: Partial<Record<SensitiveKind, number>> = {};
  const pick = hashUnit(seed, 14, fileIndex, version);
  if (pick < 0.12) {
    const kinds = 1 + (hash32(seed, 15, fileIndex, version) % 2);
    for (let k = 0; k < kinds; k++) {
      const kind = SENSITIVE_KINDS[hash32(seed, 16 + k, fileIndex, version) % SENSITIVE_KINDS.length]!;
      planted[kind] = (planted[kind] ?? 0) + 1 + (hash32(seed, 18 + k, fileIndex, version) % 5);
    }
  }
  const negatives = pick >= 0.12 && pick < 0.22 ? 1 + (hash32(seed, 20, fileIndex, version) % 3) : 0;
  return { ext, targetSize, planted, negatives };
}

const TOPICS = [
  'quarterly budget review',
  'customer onboarding',
  'vendor contract renewal',
  'product roadmap',
  'incident postmortem',
  'marketing campaign',
  'hiring plan',
  'board meeting',
  'travel policy',
  'security awareness training',
] as const;
const SUBJECTS = [
  'The team',
  'Finance',
  'Our partner',
  'The steering committee',
  'Legal',
  'Operations',
  'Sales',
] as const;
const VERBS = [
  'reviewed',
  'approved',
  'postponed',
  'discussed',
  'updated',
  'escalated',
  'summarized',
] as const;
const OBJECTS = [
  'the forecast',
  'the timeline',
  'the open risks',
  'the action items',
  'the draft',
  'the budget',
] as const;
const TAILS = [
  'before the end of the quarter',
  'after the weekly sync',
  'with minor changes',
  'pending final sign-off',
  'as agreed last week',
  'for the regional offices',
] as const;
const SERVICES = ['auth-service', 'billing', 'search-indexer', 'gateway', 'reports'] as const;
const LEVELS = ['INFO', 'INFO', 'INFO', 'WARN', 'DEBUG', 'ERROR'] as const;

function sentence(rng: Rng, topic: string): string {
  const amount = `${1 + rng.int(900)},${String(rng.int(1000)).padStart(3, '0')}.${String(rng.int(100)).padStart(2, '0')}`;
  switch (rng.int(4)) {
    case 0:
      return `${rng.pick(SUBJECTS)} ${rng.pick(VERBS)} ${rng.pick(OBJECTS)} of the ${topic} ${rng.pick(TAILS)}.`;
    case 1:
      return `Estimated cost for the ${topic}: USD ${amount}, ${rng.pick(VERBS)} by ${rng.pick(SUBJECTS).toLowerCase()}.`;
    case 2:
      return `Next step on the ${topic}: ${rng.pick(SUBJECTS).toLowerCase()} to share ${rng.pick(OBJECTS)} ${rng.pick(TAILS)}.`;
    default:
      return `${rng.pick(SUBJECTS)} noted that ${rng.pick(OBJECTS)} ${rng.pick(TAILS)} remain on track.`;
  }
}

// Filler comes from a fixed pool per topic: generating it is most of the cost of content, and the pool
// keeps that cost low without changing what the text looks like.
const POOL_SIZE = 1024;
const sentencePools = new Map<string, string[]>();

function pooledSentence(rng: Rng, topic: string): string {
  let pool = sentencePools.get(topic);
  if (!pool) {
    const poolRng = new Rng(hash32(0x5e47, topic.length, topic.charCodeAt(0), topic.charCodeAt(1)));
    pool = Array.from({ length: POOL_SIZE }, () => sentence(poolRng, topic));
    sentencePools.set(topic, pool);
  }
  return pool[rng.next() & (POOL_SIZE - 1)]!;
}

function plantedLines(rng: Rng, plan: ContentPlan): string[] {
  const lines: string[] = [];
  for (const kind of SENSITIVE_KINDS) {
    for (let i = 0; i < (plan.planted[kind] ?? 0); i++) {
      switch (kind) {
        case 'credit_card':
          lines.push(
            `Card on file for the renewal: ${cardNumber(rng)} (exp ${1 + rng.int(12)}/${28 + rng.int(5)}).`,
          );
          break;
        case 'us_ssn':
          lines.push(`Employee SSN ${ssn(rng)} verified by HR.`);
          break;
        case 'iban':
          lines.push(`Wire the deposit to IBAN ${iban(rng)} by Friday.`);
          break;
        case 'aws_access_key': {
          const key = awsAccessKey(rng);
          lines.push(`aws_access_key_id = ${key.keyId} aws_secret_access_key = ${key.secret}`);
          break;
        }
        case 'email':
          lines.push(`Personal contact: ${personalEmail(rng)} (do not share).`);
          break;
      }
    }
  }
  for (let i = 0; i < plan.negatives; i++) {
    switch (rng.int(5)) {
      case 0:
        lines.push(`Order number ${invalidCardNumber(rng)} shipped.`);
        break;
      case 1:
        lines.push(`Ticket reference ${invalidSsn(rng)} closed.`);
        break;
      case 2:
        lines.push(`Account code ${invalidIban(rng)} (internal, not a bank account).`);
        break;
      case 3:
        lines.push(`Placeholder key ${invalidAwsAccessKey(rng)} from the docs.`);
        break;
      default:
        lines.push(`Write to ${notAnEmail(rng)} for questions.`);
    }
  }
  return lines;
}

function textLines(
  rng: Rng,
  plan: ContentPlan,
  topic: string,
  render: (s: string, i: number) => string,
): string[] {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < plan.targetSize; i++) {
    const line = render(pooledSentence(rng, topic), i);
    lines.push(line);
    bytes += line.length + 1;
  }
  const secret = plantedLines(rng, plan);
  for (let i = 0; i < secret.length; i++) {
    const at = rng.int(lines.length + 1);
    lines.splice(at, 0, render(secret[i]!, lines.length + i));
  }
  return lines;
}

const csvCell = (text: string) => `"${text.replace(/"/g, '""')}"`;

function logStamp(rng: Rng, i: number): string {
  const minute = i % 60;
  return `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T${String(8 + rng.int(10)).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}Z`;
}

/** Generates the bytes of one version of one file. */
export function renderContent(seed: number, fileIndex: number, version: number, plan: ContentPlan): Buffer {
  const rng = new Rng(hash32(seed, 30, fileIndex, version));
  const topic = rng.pick(TOPICS);
  const title = topic.replace(/\b\w/g, (c) => c.toUpperCase());
  switch (plan.ext) {
    case 'csv': {
      const rows = textLines(
        rng,
        plan,
        topic,
        (s, i) => `${i + 1},2026-${String(1 + (i % 12)).padStart(2, '0')}-15,${csvCell(s)}`,
      );
      return Buffer.from(['id,date,note', ...rows].join('\n') + '\n');
    }
    case 'json': {
      const records = textLines(rng, plan, topic, (s, i) => JSON.stringify({ id: i + 1, note: s }));
      return Buffer.from(
        `{\n  "title": ${JSON.stringify(title)},\n  "records": [\n    ${records.join(',\n    ')}\n  ]\n}\n`,
      );
    }
    case 'log': {
      const lines = textLines(
        rng,
        plan,
        topic,
        (s, i) => `${logStamp(rng, i)} ${rng.pick(LEVELS)} ${rng.pick(SERVICES)} ${s}`,
      );
      return Buffer.from(lines.join('\n') + '\n');
    }
    case 'md': {
      const lines = textLines(rng, plan, topic, (s, i) =>
        i % 7 === 0 ? `\n## Notes ${i / 7 + 1}\n\n- ${s}` : `- ${s}`,
      );
      return Buffer.from(`# ${title}\n${lines.join('\n')}\n`);
    }
    case 'docx':
      return docx([title, ...textLines(rng, plan, topic, (s) => s)]);
    case 'xlsx': {
      const rows = textLines(rng, plan, topic, (s, i) => `${i + 1}\u0000${s}`).map((r) => r.split('\u0000'));
      return xlsx([['id', 'note'], ...rows]);
    }
    case 'pdf':
      return pdf([title, ...textLines(rng, plan, topic, (s) => s)]);
    case 'txt':
      return Buffer.from(`${title}\n\n${textLines(rng, plan, topic, (s) => s).join('\n')}\n`);
  }
}
