import { isValidBIC } from 'ibantools';
import { VALUE_END, VALUE_START } from './boundaries';
import { runLength } from './candidate-scan';
import { passesAba } from './checksums';
import { wordsPattern } from './context-words';
import { passesLuhn } from './credit-card';
import { isInsideIbanShape } from './iban';
import { patternDetector } from './pattern-detector';

const bankNegatives = wordsPattern(['order', 'invoice', 'tracking', 'serial', 'part', 'phone', 'isbn']);

// Federal Reserve routing symbols: 00-12 banks, 21-32 thrifts, 61-72 electronic, 80 traveller's cheques.
const ROUTING_PREFIX = /^(?:0\d|1[0-2]|2[1-9]|3[0-2]|6[1-9]|7[0-2]|80)/;

/**
 * ABA routing transit numbers: nine digits with a Federal Reserve prefix and the 3-7-1 checksum. One
 * nine-digit run in 25 passes both, so a bare number is `possible`; "routing", "ABA", "RTN" near it
 * make it `likely`.
 */
export const abaRoutingDetector = patternDetector({
  id: 'aba_routing',
  candidate: new RegExp(String.raw`${VALUE_START}\d{9}${VALUE_END}`, 'gu'),
  startsAt: 'digit',
  digitLengths: [9],
  isValid: (value) => ROUTING_PREFIX.test(value) && passesAba(value) && !/^(\d)\1{8}$/.test(value),
  base: 'possible',
  context: {
    hotwords: wordsPattern(['routing', 'aba', 'rtn', 'transit', 'routing number', 'ach', 'wire', 'fedwire']),
    negativeWords: bankNegatives,
  },
});

/**
 * Bank account numbers (US style, 8-17 digits): no checksum, so only next to "account number",
 * "acct", "bank account"... (required). A number that is a card (Luhn, 13+ digits) or part of an IBAN
 * is left to those detectors.
 */
export const bankAccountDetector = patternDetector({
  id: 'bank_account',
  candidate: new RegExp(String.raw`${VALUE_START}\d{8,17}${VALUE_END}`, 'gu'),
  startsAt: 'digit',
  digitLengths: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
  isValid: (value, m) =>
    !/^(\d)\1+$/.test(value) &&
    !(value.length >= 13 && passesLuhn(value)) &&
    !isInsideIbanShape(m.input ?? '', m.index ?? 0, (m.index ?? 0) + value.length),
  base: 'possible',
  requireHotword: true,
  context: {
    hotwords: wordsPattern([
      'account number',
      'account no',
      'account #',
      'acct',
      'acct no',
      'acct #',
      'bank account',
      'checking',
      'savings',
      'deposit account',
      'a/c',
    ]),
    negativeWords: bankNegatives,
  },
});

/**
 * SWIFT/BIC codes: 4 letters (bank), a country code, 2 letters or digits (location), an optional
 * 3-character branch, as ibantools checks them. Many upper-case words have that shape ("BUSINESS"),
 * so only next to "SWIFT", "BIC", "bank"... (required).
 */
export const swiftBicDetector = patternDetector({
  id: 'swift_bic',
  candidate: /(?<![\p{L}\p{N}])[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![\p{L}\p{N}])/gu,
  startsAt: 'upper',
  capitalShapes: [6, 7, 8, 9, 10, 11].flatMap((capitals) => [
    { capitals, digitAfter: true },
    { capitals, digitAfter: false },
  ]),
  // Eight or eleven capitals and digits, no more (the candidate's two lengths), six capitals first.
  startTest: (_digits, text, at) => {
    const length = runLength(text, at);
    return (length === 8 || length === 11) && /^[A-Z]{6}/.test(text.slice(at, at + 6));
  },
  isValid: (value) => isValidBIC(value),
  base: 'possible',
  requireHotword: true,
  context: {
    hotwords: wordsPattern([
      'swift',
      'bic',
      'swift code',
      'bic code',
      'bank',
      'beneficiary bank',
      'iban',
      'wire',
    ]),
  },
});
