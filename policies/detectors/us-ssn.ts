import { VALUE_END, VALUE_START } from './boundaries';
import { matchesAt, startsWhere } from './candidate-scan';
import { adjustForContext, wordsPattern } from './context-words';
import type { Detection, Detector } from './detection';
import type { Likelihood } from './likelihood';

const context = {
  hotwords: wordsPattern([
    'ssn',
    'ssns',
    'social security',
    'social sec',
    'ss#',
    'ss #',
    'ssa',
    'tax id',
    'tin',
    'itin',
  ]),
  negativeWords: wordsPattern([
    'order',
    'invoice',
    'tracking',
    'ref',
    'reference',
    'part',
    'serial',
    'isbn',
    'phone',
  ]),
};

// ddd-dd-dddd, ddd dd dddd or nine bare digits between delimiters (boundaries.ts); the back
// reference rejects mixed separators. Sticky: tried only where a run of digits begins (candidate-scan.ts).
const CANDIDATE = new RegExp(String.raw`${VALUE_START}(\d{3})([- ]?)(\d{2})\2(\d{4})${VALUE_END}`, 'yu');

/** Numbers SSA published or that circulated on wallet inserts and in ads: never real. */
const KNOWN_FAKES = new Set(['078051120', '219099999', '123456789', '111111111', '987654320']);
const FAKE_AREAS = new Set([...KNOWN_FAKES].map((digits) => digits.slice(0, 3)));

/**
 * True when the digits cannot be an SSN, after Presidio's UsSsnRecognizer and SSA rules: area 000,
 * 666 or 900-999, group 00, serial 0000, one repeated digit, the 987-65-432x advertising range, and
 * well-known fakes.
 */
export function isInvalidSsn(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area.startsWith('9')) return true;
  if (group === '00' || serial === '0000') return true;
  // The rest are whole numbers: only those opening with one of their areas are put together (the
  // 987-65-432x range is in area 9xx, already out).
  if (!FAKE_AREAS.has(area) && !(area[0] === area[1] && area[1] === area[2])) return false;
  const digits = area + group + serial;
  return /^(\d)\1{8}$/.test(digits) || KNOWN_FAKES.has(digits);
}

/** Nine digits, or three then the dash or space of a grouped number (the candidate's shapes). */
function opensSsn(digits: number, text: string, at: number): boolean {
  if (digits === 9) return true;
  const next = text.charCodeAt(at + 3);
  return digits === 3 && (next === 45 || next === 32);
}

/**
 * US Social Security numbers. A dashed or spaced number is `likely` (a `very_likely` near "SSN");
 * nine bare digits are only `possible` unless a hotword is near, since order and account numbers
 * look the same.
 */
export const usSsnDetector: Detector = {
  ids: ['us_ssn'],
  find(text) {
    const found: Detection[] = [];
    const starts = startsWhere(text, 'digit', opensSsn, [3, 9]);
    for (const m of matchesAt(text, CANDIDATE, starts)) {
      // By index: destructuring a match array goes through its iterator.
      const raw = m[0];
      const separator = m[2]!;
      if (isInvalidSsn(m[1]!, m[3]!, m[4]!)) continue;
      const start = m.index;
      const base: Likelihood = separator === '' ? 'possible' : 'likely';
      const likelihood = adjustForContext(text, start, start + raw.length, base, context);
      if (likelihood)
        found.push({ detector: 'us_ssn', value: raw, start, end: start + raw.length, likelihood });
    }
    return found;
  },
};
