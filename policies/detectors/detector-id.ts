/** Every detector the library runs; policies name them in their content conditions. */
export const DETECTOR_IDS = [
  'credit_card',
  'us_ssn',
  'iban',
  'email',
  'phone_number',
  'aws_access_key',
  'aws_secret_key',
  'private_key',
  'api_token',
  'us_itin',
  'us_passport',
  'us_drivers_license',
  'aba_routing',
  'bank_account',
  'swift_bic',
  'uk_nino',
  'azure_storage_key',
  'google_api_key',
  'stripe_secret_key',
  'database_url',
  'password_assignment',
] as const;

/** The name of a detector. */
export type DetectorId = (typeof DETECTOR_IDS)[number];

/** True when `value` is one of {@link DETECTOR_IDS}. */
export function isDetectorId(value: unknown): value is DetectorId {
  return (DETECTOR_IDS as readonly unknown[]).includes(value);
}

/**
 * What a detection, a condition or a count names: a built-in {@link DetectorId} or the id of a custom
 * detector from the policy file (lower-case letters, digits and dashes, never a built-in's name).
 */
export type DetectorName = string;
