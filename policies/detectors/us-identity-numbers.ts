import { VALUE_END, VALUE_START } from './boundaries';
import { isCapitalAt, isDigitAt } from './candidate-scan';
import { wordsPattern } from './context-words';
import { patternDetector } from './pattern-detector';

const identityNegatives = wordsPattern([
  'order',
  'invoice',
  'tracking',
  'ref',
  'reference',
  'serial',
  'part',
]);

/**
 * US Individual Taxpayer Identification Numbers: 9xx-xx-xxxx whose group is 50-65, 70-88, 90-92 or
 * 94-99 (IRS). Dashed or spaced `likely`; nine bare digits `possible` unless "ITIN" or "taxpayer" is near.
 */
export const usItinDetector = patternDetector({
  id: 'us_itin',
  candidate: new RegExp(String.raw`${VALUE_START}9\d{2}([- ]?)(\d{2})\1\d{4}${VALUE_END}`, 'gu'),
  startsAt: 'digit',
  startTest: (digits, text, at) =>
    text[at] === '9' && (digits === 9 || (digits === 3 && (text[at + 3] === '-' || text[at + 3] === ' '))),
  digitLengths: [3, 9],
  isValid: (_value, m) => {
    const group = Number(m[2]);
    return (
      (group >= 50 && group <= 65) ||
      (group >= 70 && group <= 88) ||
      (group >= 90 && group <= 92) ||
      group >= 94
    );
  },
  base: (value) => (/^\d{9}$/.test(value) ? 'possible' : 'likely'),
  context: {
    hotwords: wordsPattern(['itin', 'taxpayer', 'tax id', 'tin', 'individual taxpayer', 'w-7']),
    negativeWords: identityNegatives,
  },
});

/**
 * US passport numbers: nine digits, or a letter and eight digits (next-generation books). No
 * checksum, so only next to "passport" (required).
 */
export const usPassportDetector = patternDetector({
  id: 'us_passport',
  candidate: new RegExp(String.raw`${VALUE_START}(?:[A-Z]\d{8}|\d{9})${VALUE_END}`, 'gu'),
  startsAt: 'any',
  startTest: (digits, text, at) => digits === 9 || (digits === 0 && isDigitAt(text, at + 1)),
  digitLengths: [9],
  capitalShapes: [{ capitals: 1, digitAfter: true }],
  isValid: (value) => !/^(\d)\1{8}$/.test(value),
  base: 'possible',
  requireHotword: true,
  context: {
    hotwords: wordsPattern(['passport', 'passport no', 'passport number', 'passport #', 'travel document']),
    negativeWords: identityNegatives,
  },
});

/**
 * US driver's licence numbers: the states' formats overlap (one or two letters and 4-14 digits, or
 * 7-12 digits, or `A123-4567-8901`), so only next to "driver's license", "DL", "driving licence"...
 * (required).
 */
export const usDriversLicenseDetector = patternDetector({
  id: 'us_drivers_license',
  candidate: new RegExp(
    String.raw`${VALUE_START}(?:[A-Z]{1,2}\d{4,14}|\d{7,12}|[A-Z]\d{3}-\d{4}-\d{4}|[A-Z]\d{2}-\d{3}-\d{3})${VALUE_END}`,
    'gu',
  ),
  startsAt: 'any',
  // Seven to twelve digits, or one or two capitals then a digit (the candidate's shapes).
  startTest: (digits, text, at) =>
    digits > 0
      ? digits >= 7 && digits <= 12
      : isDigitAt(text, at + 1) || (isCapitalAt(text, at + 1) && isDigitAt(text, at + 2)),
  digitLengths: [7, 8, 9, 10, 11, 12],
  capitalShapes: [
    { capitals: 1, digitAfter: true },
    { capitals: 2, digitAfter: true },
  ],
  isValid: (value) => !/^(\d)\1+$/.test(value.replace(/\D/g, '')),
  base: 'possible',
  requireHotword: true,
  context: {
    hotwords: wordsPattern([
      "driver's license",
      "driver's licence",
      'drivers license',
      'driver license',
      'driving licence',
      'driving license',
      'dl',
      'dl#',
      'dl no',
      'license number',
      'licence number',
      'dmv',
    ]),
    negativeWords: identityNegatives,
  },
});
