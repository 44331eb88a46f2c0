import cardValidator from 'card-validator';
import { VALUE_END, VALUE_START } from './boundaries';
import { matchesAt, scannedRuns } from './candidate-scan';
import { adjustForContext, wordsPattern } from './context-words';
import type { Detection, Detector } from './detection';
import { isInsideIbanShape } from './iban';
import { isTestCardNumber } from './test-card-numbers';

const context = {
  hotwords: wordsPattern([
    'card',
    'credit',
    'debit',
    'visa',
    'mastercard',
    'amex',
    'american express',
    'discover',
    'cc',
    'ccn',
    'pan',
    'cvv',
    'expiry',
    'exp',
    'payment',
  ]),
  negativeWords: wordsPattern(['order', 'invoice', 'tracking', 'ref', 'reference', 'serial', 'isbn', 'part']),
};

// 13 to 19 digits, bare or grouped with one kind of separator, between delimiters (boundaries.ts).
// Sticky: tried only where a run of digits begins (candidate-scan.ts).
const CANDIDATE = new RegExp(String.raw`${VALUE_START}\d(?:[ -]?\d){12,18}${VALUE_END}`, 'yu');
// Layouts issuers print: groups of four (the last may be shorter), or Amex/Diners 4-6-5 and 4-6-4.
const LAYOUT = /^(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})$/;

/**
 * Payment card numbers: Luhn checksum and issuer ranges and lengths by card-validator (Braintree),
 * then published test numbers dropped. `likely` alone, `very_likely` near "card", "visa", "cvv"...,
 * one step down near "order", "invoice", "tracking"...
 */
export const creditCardDetector: Detector = {
  ids: ['credit_card'],
  find(text) {
    const found: Detection[] = [];
    for (const m of matchesAt(text, CANDIDATE, candidateStarts(text))) {
      const card = validCardWithin(m[0]);
      if (!card) continue;
      const start = m.index + card.offset;
      const end = start + card.raw.length;
      if (isInsideIbanShape(text, start, end)) continue;
      const likelihood = adjustForContext(text, start, end, 'likely', context);
      if (likelihood) found.push({ detector: 'credit_card', value: card.raw, start, end, likelihood });
    }
    return found;
  },
};

/**
 * The digit starts that may open a card, ascending: at most 19 digits, and 13 unless a separator
 * follows (the candidate's groups). Luhn first: a run no separator follows can only match whole, and
 * is a card only if its digits pass, which nine runs in ten do not, so the regex and the rest are
 * spared for them. The groups of one grouped number are each a start: the digits the next group can
 * hold are those of this one less its own, not walked again.
 */
function candidateStarts(text: string): number[] {
  const { at, digits } = scannedRuns(text);
  const starts: number[] = [];
  let nextGroup = -1; // where the group after the last grouped start walked begins
  let nextGroupDigits = 0; // and the digits a candidate can hold from there
  for (let i = 0; i < at.length; i++) {
    const start = at[i]!;
    const length = digits[i]!;
    if (length === 0 || length > 19) continue;
    const next = text.charCodeAt(start + length);
    if (next === 32 || next === 45) {
      const grouped = start === nextGroup ? nextGroupDigits : groupedDigits(text, start);
      nextGroup = start + length + 1;
      nextGroupDigits = grouped - length;
      if (grouped >= 13) starts.push(start);
    } else if (length >= 13 && passesLuhnAt(text, start, length)) starts.push(start);
  }
  return starts;
}

/** How many digits a candidate can hold from `at`: digits, each pair split by one space or dash at most. */
function groupedDigits(text: string, at: number): number {
  let count = 0;
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      count++;
      i++;
    } else if ((c === 32 || c === 45) && isAsciiDigit(text.charCodeAt(i + 1)) && count > 0) i++;
    else return count;
  }
}

function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The Luhn checksum over the `length` ASCII digits at `at`. */
function passesLuhnAt(text: string, at: number, length: number): boolean {
  // Two digits a turn, the doubled one from a table: a table of numbers has a card-length run every
  // few cells, and the branch on `d > 4` mispredicted on every other random digit.
  let sum = 0;
  let i = at + length - 1;
  for (; i > at; i -= 2) sum += text.charCodeAt(i) - 48 + DOUBLED[text.charCodeAt(i - 1) - 48]!;
  if (i === at) sum += text.charCodeAt(at) - 48;
  return sum % 10 === 0;
}

// A digit doubled, its two digits summed (Luhn).
const DOUBLED = new Int32Array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]);

/**
 * The valid card number inside a grouped run of digits: the run may have swallowed a neighbouring
 * number ("4539 1488 0343 6467 12 27"), so every window of whole groups is tried, longest first.
 */
function validCardWithin(run: string): { raw: string; offset: number } | undefined {
  if (isValidCard(run)) return { raw: run, offset: 0 };
  if (!/[ -]/.test(run)) return undefined; // a bare run has no groups to retry
  const groups = [...run.matchAll(/\d+/g)];
  for (let size = groups.length - 1; size >= 1; size--) {
    for (let first = 0; first + size <= groups.length; first++) {
      if (size > 1 && groups[first]![0].length !== 4) continue; // every grouped layout opens with four digits
      const from = groups[first]!.index;
      const last = groups[first + size - 1]!;
      const raw = run.slice(from, last.index + last[0].length);
      if (isValidCard(raw)) return { raw, offset: from };
    }
  }
  return undefined;
}

// Luhn and the layout come first: nine candidates in ten fail them, and card-validator looks up
// every brand and deep-copies its tables on each call.
function isValidCard(raw: string): boolean {
  if (!passesLuhn(raw) || !LAYOUT.test(raw)) return false;
  // The layouts with separators have one after the first four digits: the others are digits only.
  const digits = isAsciiDigit(raw.charCodeAt(4)) ? raw : raw.replace(/\D/g, '');
  return !isTestCardNumber(digits) && hasIssuerFor(digits);
}

// Issuer ranges are at most 6 digits long (credit-card-type's patterns), so once Luhn has passed the
// verdict depends on the first digits and the length only: it is cached per 8-digit prefix and length,
// as a file holds many cards of few banks.
const issuerVerdicts = new Map<number, boolean>();
const MAX_CACHED_VERDICTS = 50_000;

function hasIssuerFor(digits: string): boolean {
  // The prefix and the length as one small integer (a card has 13 to 19 digits), which a Map hashes
  // faster than a string it would first have to build.
  let prefix = 0;
  for (let i = 0; i < 8; i++) prefix = prefix * 10 + (digits.charCodeAt(i) - 48);
  const key = prefix * 8 + (digits.length - 12);
  let verdict = issuerVerdicts.get(key);
  if (verdict === undefined) {
    verdict = cardValidator.number(digits, { luhnValidateUnionPay: true }).isValid;
    if (issuerVerdicts.size >= MAX_CACHED_VERDICTS) issuerVerdicts.clear();
    issuerVerdicts.set(key, verdict);
  }
  return verdict;
}

/** The Luhn (mod 10) checksum over the digits of `raw`, separators skipped. */
export function passesLuhn(raw: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = raw.length - 1; i >= 0; i--) {
    const d = raw.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    sum += double ? DOUBLED[d]! : d;
    double = !double;
  }
  return sum % 10 === 0;
}
