/**
 * Generators of planted sensitive values (each valid by its own checksum rules) and of near misses that a
 * correct detector must ignore.
 */
import type { Rng } from './random';

/** Kinds of sensitive data the generator plants. */
export const SENSITIVE_KINDS = ['credit_card', 'us_ssn', 'iban', 'aws_access_key', 'email'] as const;
/** One kind of planted sensitive data. */
export type SensitiveKind = (typeof SENSITIVE_KINDS)[number];

/** Checks a kind name. */
export function isSensitiveKind(value: string): value is SensitiveKind {
  return (SENSITIVE_KINDS as readonly string[]).includes(value);
}

const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => String(rng.int(10))).join('');

/** Luhn check digit for a string of digits. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the digits pass the Luhn check. */
export function isLuhnValid(number: string): boolean {
  const plain = number.replace(/\D/g, '');
  return plain.length > 1 && luhnCheckDigit(plain.slice(0, -1)) === Number(plain[plain.length - 1]);
}

const CARD_PREFIXES = ['4', '51', '52', '53', '54', '55', '37', '6011'] as const;

/** A Luhn-valid card number, formatted with spaces or dashes half of the time. */
export function cardNumber(rng: Rng): string {
  const prefix = rng.pick(CARD_PREFIXES);
  const length = prefix === '37' ? 15 : 16;
  const payload = prefix + digits(rng, length - 1 - prefix.length);
  const number = payload + String(luhnCheckDigit(payload));
  const style = rng.int(3);
  if (style === 0 || length === 15) return number;
  const groups = number.match(/.{4}/g)!;
  return groups.join(style === 1 ? ' ' : '-');
}

/** A 16-digit number that fails the Luhn check. */
export function invalidCardNumber(rng: Rng): string {
  const payload = '4' + digits(rng, 14);
  return payload + String((luhnCheckDigit(payload) + 1 + rng.int(8)) % 10);
}

/** A US SSN with a valid area (001-899 except 666), group and serial. */
export function ssn(rng: Rng): string {
  let area = 1 + rng.int(899);
  if (area === 666) area = 667;
  const group = 1 + rng.int(99);
  const serial = 1 + rng.int(9999);
  return `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`;
}

/** True for a valid SSN (area 001-899 except 666, non-zero group and serial). */
export function isValidSsn(value: string): boolean {
  const m = /^(\d{3})-(\d{2})-(\d{4})$/.exec(value);
  if (!m) return false;
  const area = Number(m[1]);
  return area > 0 && area < 900 && area !== 666 && Number(m[2]) > 0 && Number(m[3]) > 0;
}

/** An SSN-shaped value that no SSN can have (area 000, 666 or 9xx). */
export function invalidSsn(rng: Rng): string {
  const area = rng.pick(['000', '666', String(900 + rng.int(100))]);
  return `${area}-${String(1 + rng.int(99)).padStart(2, '0')}-${String(1 + rng.int(9999)).padStart(4, '0')}`;
}

const IBAN_FORMATS = [
  { country: 'DE', bban: 18 },
  { country: 'FR', bban: 23 },
  { country: 'GB', bban: 18 },
  { country: 'NL', bban: 14 },
] as const;

function mod97(numeric: string): number {
  let remainder = 0;
  for (const ch of numeric) remainder = (remainder * 10 + Number(ch)) % 97;
  return remainder;
}

function ibanNumeric(rearranged: string): string {
  return rearranged.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
}

/** True when an IBAN (spaces allowed) passes the ISO 13616 mod-97 check. */
export function isValidIban(value: string): boolean {
  const iban = value.replace(/\s/g, '');
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  return mod97(ibanNumeric(iban.slice(4) + iban.slice(0, 4))) === 1;
}

function bban(rng: Rng, country: string, length: number): string {
  if (country === 'GB' || country === 'NL') {
    const bank = Array.from({ length: 4 }, () => String.fromCharCode(65 + rng.int(26))).join('');
    return bank + digits(rng, length - 4);
  }
  return digits(rng, length);
}

/** True when some run of 13-19 consecutive digits (spaces ignored) passes Luhn: a card detector would fire. */
export function containsLuhnRun(value: string): boolean {
  for (const run of value.replace(/ /g, '').match(/\d+/g) ?? []) {
    for (let len = 13; len <= Math.min(19, run.length); len++) {
      for (let at = 0; at + len <= run.length; at++) if (isLuhnValid(run.slice(at, at + len))) return true;
    }
  }
  return false;
}

/** A mod-97-valid IBAN, printed in groups of four, with no digit run a card detector could take for a card. */
export function iban(rng: Rng): string {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = ibanCandidate(rng);
    if (!containsLuhnRun(value)) return value;
  }
  return ibanCandidate(rng);
}

function ibanCandidate(rng: Rng): string {
  const format = rng.pick(IBAN_FORMATS);
  const body = bban(rng, format.country, format.bban);
  const check = 98 - mod97(ibanNumeric(body + format.country + '00'));
  const value = format.country + String(check).padStart(2, '0') + body;
  return value.match(/.{1,4}/g)!.join(' ');
}

/** An IBAN-shaped value whose check digits are wrong. */
export function invalidIban(rng: Rng): string {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = invalidIbanCandidate(rng);
    if (!containsLuhnRun(value)) return value;
  }
  return invalidIbanCandidate(rng);
}

function invalidIbanCandidate(rng: Rng): string {
  const valid = iban(rng).replace(/\s/g, '');
  const check = Number(valid.slice(2, 4));
  const wrong = String(((check + 1 + rng.int(50)) % 97) + 2).padStart(2, '0');
  const value =
    valid.slice(0, 2) + (wrong === valid.slice(2, 4) ? String((check % 90) + 3) : wrong) + valid.slice(4);
  return value.match(/.{1,4}/g)!.join(' ');
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** An AWS access key pair: `AKIA` + 16 base32 characters, and a 40-character secret. */
export function awsAccessKey(rng: Rng): { keyId: string; secret: string } {
  const keyId = 'AKIA' + Array.from({ length: 16 }, () => rng.pick([...KEY_ALPHABET])).join('');
  const secret = Array.from({ length: 40 }, () => rng.pick([...SECRET_ALPHABET])).join('');
  return { keyId, secret };
}

/** An `AKIA` string one character short of a key id. */
export function invalidAwsAccessKey(rng: Rng): string {
  return 'AKIA' + Array.from({ length: 15 }, () => rng.pick([...KEY_ALPHABET])).join('') + '-';
}

const FIRST = ['john', 'maria', 'wei', 'fatima', 'lucas', 'emma', 'raj', 'olga', 'diego', 'aiko'] as const;
const LAST = [
  'smith',
  'garcia',
  'chen',
  'khan',
  'muller',
  'rossi',
  'patel',
  'ivanova',
  'silva',
  'tanaka',
] as const;
const MAIL_DOMAINS = ['gmail.example', 'outlook.example', 'yahoo.example', 'proton.example'] as const;

/** A personal e-mail address. */
export function personalEmail(rng: Rng): string {
  return `${rng.pick(FIRST)}.${rng.pick(LAST)}${rng.int(100)}@${rng.pick(MAIL_DOMAINS)}`;
}

/** An obfuscated address that is not an e-mail address. */
export function notAnEmail(rng: Rng): string {
  return `${rng.pick(FIRST)} at ${rng.pick(LAST)} dot example`;
}
