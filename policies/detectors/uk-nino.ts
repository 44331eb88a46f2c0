import { isCapitalAt, isDigitAt } from './candidate-scan';
import { wordsPattern } from './context-words';
import { patternDetector } from './pattern-detector';

// HMRC: the first letter is not D, F, I, Q, U or V, the second not D, F, I, O, Q, U or V, and some
// prefixes are never issued (BG, GB, NK, KN, NT, TN, ZZ); the suffix is A to D.
const CANDIDATE =
  /(?<![\p{L}\p{N}])(?!BG|GB|NK|KN|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\p{L}\p{N}])/gu;

/**
 * UK National Insurance numbers (`QQ 12 34 56 C`), by HMRC's letter rules. The format is specific:
 * `likely`, `very_likely` near "national insurance", "NI number", "NINO".
 */
export const ukNinoDetector = patternDetector({
  id: 'uk_nino',
  candidate: CANDIDATE,
  startsAt: 'upper',
  // Two capitals, then a digit or a space (the candidate's prefix).
  capitalShapes: [
    { capitals: 2, digitAfter: true },
    { capitals: 2, digitAfter: false },
  ],
  startTest: (_digits, text, at) =>
    isCapitalAt(text, at + 1) && (isDigitAt(text, at + 2) || text.charCodeAt(at + 2) === 32),
  isValid: (value) => {
    const spaces = value.split(' ').length - 1;
    return spaces === 0 || spaces === 4; // all groups spaced or none
  },
  base: 'likely',
  context: {
    hotwords: wordsPattern(['national insurance', 'ni number', 'ni no', 'nino', 'nic', 'hmrc']),
    negativeWords: wordsPattern(['order', 'invoice', 'reference', 'ref', 'serial', 'part']),
  },
});
