import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
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
const CANDIDATE =
  /(?<![\w+.-])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,8}){1,4}|(?:1[ .-])?(?:\(\d{3}\) ?|\d{3}[.-])\d{3}[.-]\d{4}|\d{10})(?![\w-]|[.,]\d)/g;

/**
 * Phone numbers: a fast regex finds formatted candidates, then libphonenumber-js (Google's
 * libphonenumber metadata, "max" set) checks that the number is valid for its country (US by
 * default). Fictional ranges (NANP 555-0100..0199, UK drama 020 7946 0xxx) are dropped.
 */
export const phoneNumberDetector: Detector = {
  ids: ['phone_number'],
  find(text) {
    const found: Detection[] = [];
    for (const m of text.matchAll(CANDIDATE)) {
      const raw = m[0];
      const phone = parsePhoneNumberFromString(raw, 'US');
      if (!phone?.isValid() || isFictional(phone.number)) continue;
      const start = m.index;
      const base: Likelihood = /^\d{10}$/.test(raw) ? 'possible' : 'likely';
      const likelihood = adjustForContext(text, start, start + raw.length, base, context);
      if (likelihood)
        found.push({ detector: 'phone_number', value: raw, start, end: start + raw.length, likelihood });
    }
    return found;
  },
};

function isFictional(e164: string): boolean {
  return /^\+1\d{3}55501\d\d$/.test(e164) || /^\+442079460\d{3}$/.test(e164);
}
