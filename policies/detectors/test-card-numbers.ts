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
  if (/(\d)\1{7}/.test(digits)) return true;
  return /^(\d{2,4})\1{2,}\d{0,4}$/.test(digits);
}
