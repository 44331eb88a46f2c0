import { countrySpecs } from 'ibantools';
import { isCapitalAt, isDigitAt, matchesAt, startsWhere, stickyCopy } from './candidate-scan';
import { adjustForContext, wordsPattern } from './context-words';
import type { Detection, Detector } from './detection';

const context = {
  hotwords: wordsPattern([
    'iban',
    'bank',
    'account',
    'acct',
    'swift',
    'bic',
    'sepa',
    'wire',
    'transfer',
    'konto',
  ]),
};

// Country code, check digits, then letters and digits, bare or in groups of four.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}/g;
// The same, tried only where a run of capitals begins (candidate-scan.ts).
const STICKY_CANDIDATE = stickyCopy(CANDIDATE);

// Only runs opening with two capitals then a digit are tested (candidate-scan.ts).
const OPENING = [{ capitals: 2, digitAfter: true }];

/** Two capitals then two digits: the country code and check digits a candidate opens with. */
function opensIban(_digits: number, text: string, at: number): boolean {
  return isCapitalAt(text, at + 1) && isDigitAt(text, at + 2) && isDigitAt(text, at + 3);
}

/**
 * Example IBANs printed in bank and standards documentation (Wikipedia, ECBS, ibantools' own docs):
 * valid checksums, no real account, like the published test card numbers.
 */
const DOCUMENTATION_IBANS = new Set([
  'DE89370400440532013000',
  'GB82WEST12345698765432',
  'GB29NWBK60161331926819',
  'GB33BUKB20201555555555',
  'FR1420041010050500013M02606',
  'NL91ABNA0417164300',
  'BE68539007547034',
  'CH9300762011623852957',
  'ES9121000418450200051332',
  'IT60X0542811101000000123456',
]);

/**
 * IBANs: the candidate is cut to its country's length (ibantools' country specs), then ibantools
 * checks the BBAN format and the ISO 7064 mod-97 checksum. Documentation examples are dropped.
 */
export const ibanDetector: Detector = {
  ids: ['iban'],
  find(text) {
    const found: Detection[] = [];
    for (const m of matchesAt(
      text,
      STICKY_CANDIDATE,
      startsWhere(text, 'upper', opensIban, undefined, OPENING),
    )) {
      const length = countrySpecs[m[0].slice(0, 2)]?.chars;
      if (!length) continue;
      const raw = takeChars(m[0], length);
      if (raw === undefined) continue;
      const electronic = raw.replace(/ /g, '');
      const end = m.index + raw.length;
      if (/[A-Za-z0-9]/.test(text[end] ?? '') || DOCUMENTATION_IBANS.has(electronic)) continue;
      if (!isValidIban(electronic)) continue;
      const likelihood = adjustForContext(text, m.index, end, 'likely', context);
      if (likelihood) found.push({ detector: 'iban', value: raw, start: m.index, end, likelihood });
    }
    return found;
  },
};

/**
 * True when `[start, end)` of `text` lies inside something shaped like an IBAN (a known country
 * code, two digits, then the country's length of letters and digits), valid checksum or not: the
 * digits of an IBAN, or of a mistyped one, are not a card number. Only the 40 characters before
 * `start` are searched, enough for the longest IBAN.
 */
export function isInsideIbanShape(text: string, start: number, end: number): boolean {
  const from = Math.max(0, start - 40);
  // Every candidate opens with two capitals and two digits: most card and account numbers have none
  // of those before them, and are spared the slice and the regex.
  if (!hasIbanOpening(text, from, end)) return false;
  for (const m of text.slice(from, end).matchAll(CANDIDATE)) {
    const length = countrySpecs[m[0].slice(0, 2)]?.chars;
    const raw = length ? takeChars(text.slice(from + m.index, from + m.index + 48), length) : undefined;
    if (raw !== undefined && from + m.index < end && from + m.index + raw.length > start) return true;
  }
  return false;
}

/** True when two capitals and two digits follow one another somewhere in `[from, to)` of `text`. */
function hasIbanOpening(text: string, from: number, to: number): boolean {
  // Character codes compared here, not through candidate-scan's helpers: under tsx every call of
  // another module's export goes through a getter, and this runs for every character near a card.
  let capitals = 0;
  let digits = 0;
  for (let at = from; at < to; at++) {
    const c = text.charCodeAt(at);
    if (c >= 48 && c <= 57) {
      digits = capitals >= 2 ? digits + 1 : 0;
      if (digits === 2) return true;
      if (digits === 0) capitals = 0;
    } else if (c >= 65 && c <= 90) {
      capitals = digits === 0 ? capitals + 1 : 1;
      digits = 0;
    } else {
      capitals = 0;
      digits = 0;
    }
  }
  return false;
}

/** The prefix of `candidate` holding exactly `count` letters and digits, or undefined if shorter. */
function takeChars(candidate: string, count: number): string | undefined {
  let seen = 0;
  for (let i = 0; i < candidate.length; i++) {
    if (candidate[i] !== ' ') seen++;
    if (seen === count) return candidate.slice(0, i + 1);
  }
  return undefined;
}

/**
 * ibantools' isValidIBAN (4.5.1, QR-IBANs allowed), its checks in its order, with the checksum worked
 * out on numbers: ibantools builds a string of digits and cuts it up, the costliest step per IBAN.
 * The test compares both.
 */
export function isValidIban(iban: string): boolean {
  const country = iban.slice(0, 2);
  const spec = countrySpecs[country];
  if (spec?.bban_regexp == null || spec.chars === undefined) return false;
  return (
    spec.chars === iban.length &&
    /^[0-9]{2}$/.test(iban.slice(2, 4)) &&
    isValidBban(iban.slice(4), spec) &&
    ibanChecksumHolds(iban)
  );
}

type CountrySpec = NonNullable<(typeof countrySpecs)[string]>;

const bbanFormats = new Map<string, RegExp>();

/**
 * ibantools' isValidBBAN for a country whose spec has a format, with the format's regex compiled once:
 * ibantools compiles it on every call.
 */
function isValidBban(bban: string, spec: CountrySpec): boolean {
  const source = spec.bban_regexp!;
  let format = bbanFormats.get(source);
  if (!format) bbanFormats.set(source, (format = new RegExp(source, '')));
  if (spec.chars! - 4 !== bban.length || !format.test(bban)) return false;
  return spec.bban_validation_func ? spec.bban_validation_func(bban.replace(/[\s.]+/g, '')) : true;
}

/** As ibantools' isValidIBANChecksum: the check digits are 98 minus (BBAN, country, "00") mod 97. */
function ibanChecksumHolds(iban: string): boolean {
  const provided = parseInt(iban.slice(2, 4), 10);
  const digits = `${iban.slice(4)}${iban.slice(0, 2)}00`;
  let rest = 0;
  for (let i = 0; i < digits.length; i++) {
    const code = digits.charCodeAt(i);
    // A letter counts as its code minus 55 written out (A = 10 ... Z = 35), as ibantools replaces it.
    if (code >= 65) rest = (rest * 10 ** String(code - 55).length + (code - 55)) % 97;
    else if (code >= 48 && code <= 57) rest = (rest * 10 + (code - 48)) % 97;
    else return false; // ibantools' parseInt gives NaN: never equal
  }
  return 98 - rest === provided;
}
