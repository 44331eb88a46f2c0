/**
 * Card numbers that payment processors publish for testing (Stripe, Braintree, PayPal, Adyen docs).
 * They pass Luhn and issuer checks, yet a user would not want developer docs flagged: they are
 * treated like Presidio's known fake SSNs and never reported.
 */
const PUBLISHED_TEST_NUMBERS = new Set([
  '4111111111111111',
  '4242424242424242',
  '4012888888881881',
  '4222222222222',
  '4000056655665556',
  '4000000000000002',
  '4000000000000077',
  '4000000000000093',
  '4000000000000069',
  '4000000000000127',
  '4000000000000119',
  '4000002500003155',
  '4000000000009995',
  '4000000000003220',
  '4917610000000000',
  '4988438843884305',
  '4462030000000000',
  '5555555555554444',
  '5105105105105100',
  '5200828282828210',
  '2223003122003222',
  '2223000048400011',
  '5454545454545454',
  '378282246310005',
  '371449635398431',
  '378734493671000',
  '6011111111111117',
  '6011000990139424',
  '6011981111111113',
  '30569309025904',
  '38520000023237',
  '36227206271667',
  '3530111333300000',
  '3566002020360505',
  '3566111111111113',
  '6200000000000005',
  '6205500000000000004',
]);

/**
 * True for a published test number, or for a number whose shape only a test or a placeholder has:
 * a run of eight identical digits, or a short block repeated across the whole number.
 */
export function isTestCardNumber(digits: string): boolean {
  if (PUBLISHED_TEST_NUMBERS.has(digits)) return true;
  return hasEightIdenticalDigits(digits) || isRepeatedBlock(digits);
}

// The two shapes by hand, not by backreferences (`(\d)\1{7}`, `^(\d{2,4})\1{2,}\d{0,4}$`): each
// card candidate that passes Luhn is tested, and the regexes retried every offset and block length.

/** True when eight identical ASCII digits follow one another in `text`. */
function hasEightIdenticalDigits(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    run = isAsciiDigit(c) && i > 0 && c === text.charCodeAt(i - 1) ? run + 1 : 1;
    if (run >= 8 && isAsciiDigit(c)) return true;
  }
  return false;
}

/**
 * True when `text` is ASCII digits only: a block of 2 to 4 repeated at least three times from the
 * start, then at most four more digits.
 */
function isRepeatedBlock(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isAsciiDigit(text.charCodeAt(i))) return false;
  for (let block = 2; block <= 4; block++) {
    // How far the text repeats its first block: each character equals the one a block before it.
    let same = block;
    while (same < text.length && text.charCodeAt(same) === text.charCodeAt(same - block)) same++;
    const repeats = Math.floor(same / block); // whole blocks from the start equal to the first
    if (repeats >= 3 && text.length - repeats * block <= 4) return true;
  }
  return false;
}

function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
