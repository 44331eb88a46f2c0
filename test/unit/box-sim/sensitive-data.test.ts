/** Unit: planted values are valid by their checksum rules; near misses are not. */
import { Rng } from '../../../box-sim/random';
import {
  awsAccessKey,
  cardNumber,
  iban,
  invalidAwsAccessKey,
  invalidCardNumber,
  invalidIban,
  invalidSsn,
  isLuhnValid,
  isValidIban,
  isValidSsn,
  ssn,
} from '../../../box-sim/sensitive-data';

describe('planted sensitive values', () => {
  const rng = new Rng(42);

  test('card numbers pass the Luhn check; near misses fail it', () => {
    for (let i = 0; i < 200; i++) {
      expect(isLuhnValid(cardNumber(rng))).toBe(true);
      expect(isLuhnValid(invalidCardNumber(rng))).toBe(false);
    }
    expect(isLuhnValid('4111 1111 1111 1111')).toBe(true);
  });

  test('SSNs have valid areas, groups and serials; near misses use 000, 666 or 9xx', () => {
    for (let i = 0; i < 500; i++) {
      expect(isValidSsn(ssn(rng))).toBe(true);
      expect(isValidSsn(invalidSsn(rng))).toBe(false);
    }
  });

  test('IBANs pass mod-97; near misses do not', () => {
    expect(isValidIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    for (let i = 0; i < 200; i++) {
      expect(isValidIban(iban(rng))).toBe(true);
      expect(isValidIban(invalidIban(rng))).toBe(false);
    }
  });

  test('AWS key ids are AKIA plus 16 characters; near misses are one short', () => {
    const key = awsAccessKey(rng);
    expect(key.keyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.secret).toHaveLength(40);
    expect(invalidAwsAccessKey(rng)).not.toMatch(/AKIA[A-Z2-7]{16}/);
  });
});
