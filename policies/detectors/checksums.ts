import { passesLuhn } from './credit-card';

/** The checksums a custom regex detector can require of its matches. */
export const CHECKSUMS = ['luhn', 'mod97', 'mod11', 'aba', 'verhoeff'] as const;

/** One of {@link CHECKSUMS}. */
export type Checksum = (typeof CHECKSUMS)[number];

function digitsOf(value: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) out.push(d);
  }
  return out;
}

/**
 * ISO 7064 mod 97-10 as IBANs use it: the first four characters move to the end, letters count as
 * 10..35, the number must leave 1 modulo 97. Separators are ignored.
 */
export function passesMod97(value: string): boolean {
  const compact = value.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  if (compact.length < 5) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const n = code >= 65 ? code - 55 : code - 48;
    remainder = (n >= 10 ? remainder * 100 + n : remainder * 10 + n) % 97;
  }
  return remainder === 1;
}

/**
 * Mod 11 with weights 2, 3, 4, ... from the right of the payload (ISBN-10, many national IDs): the last
 * digit, or X for 10, is the check digit making the weighted sum 0 modulo 11.
 */
export function passesMod11(value: string): boolean {
  const compact = value.replace(/[^0-9Xx]/g, '');
  if (compact.length < 2 || /[Xx]/.test(compact.slice(0, -1))) return false;
  const last = compact.slice(-1);
  let sum = /[Xx]/.test(last) ? 10 : Number(last);
  const payload = compact.slice(0, -1);
  for (let i = 0; i < payload.length; i++) sum += Number(payload[payload.length - 1 - i]) * (i + 2);
  return sum % 11 === 0;
}

/** ABA routing number: nine digits, weights 3, 7, 1 repeated, sum divisible by 10. */
export function passesAba(value: string): boolean {
  const d = digitsOf(value);
  if (d.length !== 9) return false;
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0 && sum > 0;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** The Verhoeff checksum (India's Aadhaar, some account numbers) over the digits of `value`. */
export function passesVerhoeff(value: string): boolean {
  const d = digitsOf(value);
  if (d.length < 2) return false;
  let c = 0;
  for (let i = 0; i < d.length; i++) c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![d[d.length - 1 - i]!]!]!;
  return c === 0;
}

/** The test for each checksum. */
export const CHECKSUM_TESTS: Record<Checksum, (value: string) => boolean> = {
  luhn: (value) => digitsOf(value).length >= 2 && passesLuhn(value),
  mod97: passesMod97,
  mod11: passesMod11,
  aba: passesAba,
  verhoeff: passesVerhoeff,
};
