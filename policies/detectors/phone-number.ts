import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { VALUE_END, VALUE_START } from './boundaries';
import { matchesAt, mergeStarts, startsWhere } from './candidate-scan';
import { literalHits } from './literal-hits';
import { adjustForContext, wordsPattern } from './context-words';
import type { Detection, Detector } from './detection';
import type { Likelihood } from './likelihood';

const context = {
  hotwords: wordsPattern([
    'phone',
    'tel',
    'telephone',
    'mobile',
    'cell',
    'call',
    'fax',
    'contact',
    'whatsapp',
  ]),
  negativeWords: wordsPattern([
    'order',
    'invoice',
    'tracking',
    'ref',
    'reference',
    'serial',
    'account',
    'ssn',
  ]),
};

// Formatted numbers only: international with "+", or NANP with parentheses or separators. Bare
// 10-digit runs are order and account numbers far more often than phones, so they need a hotword.
// Delimited like every value (boundaries.ts), and not the tail of a "+" number.
const CANDIDATE = new RegExp(
  String.raw`${VALUE_START}(?<!\+)(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,8}){1,4}|(?:1[ .-])?(?:\(\d{3}\) ?|\d{3}[.-])\d{3}[.-]\d{4}|\d{10})${VALUE_END}`,
  'yu',
);

/**
 * A run of digits a national candidate can open: ten bare digits, three then a dot or a dash, or the
 * country code 1 then a space, a dot or a dash.
 */
function opensPhone(length: number, text: string, at: number): boolean {
  if (length === 10) return true;
  const next = text.charCodeAt(at + length);
  if (length === 3) return next === 46 || next === 45;
  return length === 1 && text.charCodeAt(at) === 49 && (next === 32 || next === 46 || next === 45);
}

/**
 * Where a candidate can begin: a "+", a "(" or a run of digits (candidate-scan.ts) of three or ten
 * digits or a lone "1", so the sticky CANDIDATE is tried there only.
 */
function candidateStarts(text: string): readonly number[] {
  const digits = startsWhere(text, 'digit', opensPhone, [1, 3, 10]);
  const plus = literalHits(text, '+') ?? [];
  const parenthesis = literalHits(text, '(') ?? [];
  const symbols = parenthesis.length === 0 ? plus : mergeStarts(plus, parenthesis);
  return symbols.length === 0 ? digits : mergeStarts(digits, symbols);
}

/**
 * Phone numbers: a fast regex finds formatted candidates, then libphonenumber-js (Google's
 * libphonenumber metadata, "max" set) checks that the number is valid for its country (US by
 * default). Fictional ranges (NANP 555-0100..0199, UK drama 020 7946 0xxx) are dropped.
 */
export const phoneNumberDetector: Detector = {
  ids: ['phone_number'],
  find(text) {
    const found: Detection[] = [];
    for (const m of matchesAt(text, CANDIDATE, candidateStarts(text))) {
      const raw = validPhoneWithin(m[0]);
      if (raw === undefined) continue;
      const start = m.index;
      const base: Likelihood = /^\d{10}$/.test(raw) ? 'possible' : 'likely';
      const likelihood = adjustForContext(text, start, start + raw.length, base, context);
      if (likelihood)
        found.push({ detector: 'phone_number', value: raw, start, end: start + raw.length, likelihood });
    }
    return found;
  },
};

/**
 * The valid number a candidate starts with: an international candidate may have swallowed a number
 * after it (`+1 646-555-3890 12`), so up to two trailing groups are dropped in turn.
 */
function validPhoneWithin(candidate: string): string | undefined {
  if (candidate[0] !== '+') return isValidNanp(candidate) ? candidate : undefined;
  // libphonenumber is the costliest step and a file repeats its numbers: the verdict is cached.
  let verdict = internationalVerdicts.get(candidate);
  if (verdict === undefined) {
    verdict = validInternationalWithin(candidate) ?? '';
    if (internationalVerdicts.size >= MAX_CACHED_VERDICTS) internationalVerdicts.clear();
    internationalVerdicts.set(candidate, verdict);
  }
  return verdict === '' ? undefined : verdict;
}

function validInternationalWithin(candidate: string): string | undefined {
  let raw = candidate;
  for (let attempt = 0; attempt < 3; attempt++) {
    const phone = parsePhoneNumberFromString(raw, 'US');
    if (phone?.isValid()) return isFictional(phone.number) ? undefined : raw;
    const shorter = /^(\+.*\d)[ .-]\d+$/.exec(raw);
    if (!shorter) return undefined;
    raw = shorter[1]!;
  }
  return undefined;
}

// libphonenumber's US patterns decide on at most the first six national digits (area code, then the
// exchange or part of it) followed by any four: the verdict is cached per seven-digit prefix, with the
// fictional 555-01xx range checked apart. A table of numbers repeats prefixes.
const nanpVerdicts = new Map<string, boolean>();
// By international candidate: the valid number it starts with, '' for none.
const internationalVerdicts = new Map<string, string>();
const MAX_CACHED_VERDICTS = 50_000;

/**
 * A national (NANP) candidate: area codes and exchanges never start with 0 or 1, which most runs of ten
 * digits in a table of numbers fail before libphonenumber (the costliest step) is asked.
 */
function isValidNanp(candidate: string): boolean {
  // Ten characters can only be the ten bare digits, the most common candidate in a table.
  const digits = candidate.length === 10 ? candidate : candidate.replace(/\D/g, '');
  const national = digits.length === 11 && digits[0] === '1' ? digits.slice(1) : digits;
  if (national.length !== 10 || national[0]! < '2' || national[3]! < '2') return false;
  if (national.startsWith('55501', 3)) return false; // fictional: NXX 555-0100 to 0199
  const key = national.slice(0, 7);
  let verdict = nanpVerdicts.get(key);
  if (verdict === undefined) {
    verdict = parsePhoneNumberFromString(national, 'US')?.isValid() ?? false;
    if (nanpVerdicts.size >= MAX_CACHED_VERDICTS) nanpVerdicts.clear();
    nanpVerdicts.set(key, verdict);
  }
  return verdict;
}

function isFictional(e164: string): boolean {
  return /^\+1\d{3}55501\d\d$/.test(e164) || /^\+442079460\d{3}$/.test(e164);
}
