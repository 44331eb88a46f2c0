import { apiTokenDetector } from './api-token';
import { abaRoutingDetector, bankAccountDetector, swiftBicDetector } from './bank-numbers';
import { azureStorageKeyDetector, googleApiKeyDetector, stripeSecretKeyDetector } from './cloud-keys';
import { databaseUrlDetector, passwordAssignmentDetector } from './config-credentials';
import { creditCardDetector } from './credit-card';
import { forgetContextWindows } from './context-words';
import type { Detection, Detector } from './detection';
import type { DetectorName } from './detector-id';
import type { DetectorSettings } from './detector-settings';
import { DEFAULT_DETECTOR_SETTINGS } from './detector-settings';
import { emailDetector } from './email';
import { ibanDetector } from './iban';
import { phoneNumberDetector } from './phone-number';
import { secretlintDetector } from './secretlint-detector';
import { ukNinoDetector } from './uk-nino';
import { usDriversLicenseDetector, usItinDetector, usPassportDetector } from './us-identity-numbers';
import { usSsnDetector } from './us-ssn';

/** Every detector, in the order they run. */
export const ALL_DETECTORS: readonly Detector[] = [
  creditCardDetector,
  usSsnDetector,
  ibanDetector,
  emailDetector,
  phoneNumberDetector,
  secretlintDetector,
  apiTokenDetector,
  usItinDetector,
  usPassportDetector,
  usDriversLicenseDetector,
  abaRoutingDetector,
  bankAccountDetector,
  swiftBicDetector,
  ukNinoDetector,
  azureStorageKeyDetector,
  googleApiKeyDetector,
  stripeSecretKeyDetector,
  databaseUrlDetector,
  passwordAssignmentDetector,
];

// Detectors that know one credential's format: a generic `api_key = ...` match on the same value yields.
const SPECIFIC_CREDENTIALS = new Set<DetectorName>([
  'aws_secret_key',
  'azure_storage_key',
  'google_api_key',
  'stripe_secret_key',
  'database_url',
  'password_assignment',
]);

/**
 * A test for generic assignments that overlap a specific credential among `all` (sorted by start):
 * only the specific credentials that start before the assignment ends, and not so long before that
 * they end before it starts, are looked at.
 */
function yieldingAssignments(all: readonly Detection[]): (d: Detection) => boolean {
  const specific = all.filter((o) => SPECIFIC_CREDENTIALS.has(o.detector));
  const longest = specific.reduce((max, o) => Math.max(max, o.end - o.start), 0);
  return (d) => {
    if (d.detector !== 'api_token' || d.likelihood !== 'likely') return false;
    let lo = 0;
    let hi = specific.length; // the first specific credential starting at or after d.end
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (specific[mid]!.start < d.end) lo = mid + 1;
      else hi = mid;
    }
    for (let j = lo - 1; j >= 0 && specific[j]!.start + longest > d.start; j--) {
      if (d.start < specific[j]!.end) return true;
    }
    return false;
  };
}

/**
 * JSON and source code write a tab or a line break inside a string as `\t`, `\n`, `\r`: the letter
 * would otherwise touch the value that follows (`"SSN\t587349021"`) and hide it. Each escape becomes
 * two spaces, so offsets do not move.
 */
export function withoutEscapes(text: string): string {
  return text.includes('\\') ? text.replace(/\\[ntr]/g, '  ') : text;
}

/**
 * `detections` sorted by start, the longer first where two start together, and in their order where
 * both tie, as `sort((a, b) => a.start - b.start || b.end - a.end)` orders them. A comparator called
 * from the sort costs more than the rest of the detectors' bookkeeping in a text dense with values:
 * the three keys are packed into one number, which a typed array sorts natively, when they fit its
 * 53 bits (offsets of a text of a million characters take 20).
 */
export function inTextOrder(detections: Detection[]): Detection[] {
  const n = detections.length;
  let lastStart = 0;
  let longest = 0;
  for (const d of detections) {
    lastStart = Math.max(lastStart, d.start);
    longest = Math.max(longest, d.end - d.start);
  }
  const startRange = powerOfTwoAbove(lastStart);
  const lengthRange = powerOfTwoAbove(longest);
  const indexRange = powerOfTwoAbove(n);
  const fits = detections.every((d) => d.start >= 0 && d.end >= d.start && Number.isInteger(d.start + d.end));
  if (!fits || startRange * lengthRange * indexRange > Number.MAX_SAFE_INTEGER) {
    return detections.sort((a, b) => a.start - b.start || b.end - a.end);
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = detections[i]!;
    keys[i] = (d.start * lengthRange + (longest - (d.end - d.start))) * indexRange + i;
  }
  keys.sort();
  const sorted: Detection[] = new Array<Detection>(n);
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    sorted[i] = detections[key - Math.floor(key / indexRange) * indexRange]!; // exact: a power of two
  }
  return sorted;
}

/** The least power of two greater than `n` (n ≥ 0). */
function powerOfTwoAbove(n: number): number {
  let power = 1;
  while (power <= n) power *= 2;
  return power;
}

/**
 * Runs the detectors (built-in, then the policy file's custom ones) that serve `wanted` over `text`,
 * in text order. Where two rules of one detector
 * id claim overlapping text (secretlint and the generic token rule on one token), the first is kept.
 */
export async function detectSensitiveData(
  text: string,
  wanted: ReadonlySet<DetectorName>,
  settings: DetectorSettings = DEFAULT_DETECTOR_SETTINGS,
  customDetectors: readonly Detector[] = [],
): Promise<Detection[]> {
  let all: Detection[] = [];
  const normalised = withoutEscapes(text);
  forgetContextWindows();
  for (const detector of [...ALL_DETECTORS, ...customDetectors]) {
    if (!detector.ids.some((id) => wanted.has(id))) continue;
    // Most detectors answer at once: awaiting only promises spares a turn of the event loop each.
    const found = detector.find(normalised, settings);
    for (const d of found instanceof Promise ? await found : found) if (wanted.has(d.detector)) all.push(d);
  }
  all = inTextOrder(all);
  const yields = yieldingAssignments(all);
  const kept = all.filter((d) => !yields(d));
  const lastEnd = new Map<DetectorName, number>();
  return kept.filter((d) => {
    if (d.start < (lastEnd.get(d.detector) ?? -1)) return false;
    lastEnd.set(d.detector, d.end);
    return true;
  });
}
