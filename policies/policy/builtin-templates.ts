import type { PolicyInput } from './policy-schema';

/** The built-in policy templates, enabled unless the policy file lists the ones it wants. */
export const TEMPLATE_IDS = [
  'pci-card-numbers',
  'pii-us-ssn',
  'financial-iban',
  'pii-us-identity',
  'pii-uk-nino',
  'financial-bank-accounts',
  'credentials-secrets',
  'exposure-public-link',
  'exposure-external-users',
  'sensitive-shared-externally',
] as const;

/** The id of a built-in template. */
export type TemplateId = (typeof TEMPLATE_IDS)[number];

/** True when `value` is one of {@link TEMPLATE_IDS}. */
export function isTemplateId(value: unknown): value is TemplateId {
  return (TEMPLATE_IDS as readonly unknown[]).includes(value);
}

const SECRET_DETECTORS = [
  'aws_access_key',
  'aws_secret_key',
  'private_key',
  'api_token',
  'azure_storage_key',
  'google_api_key',
  'stripe_secret_key',
  'database_url',
  'password_assignment',
] as const;
const US_IDENTITY_DETECTORS = ['us_itin', 'us_passport', 'us_drivers_license'] as const;
const BANK_DETECTORS = ['aba_routing', 'bank_account', 'swift_bic'] as const;

/** The built-in templates, written in the same format as user policies. */
export const BUILTIN_TEMPLATES: Readonly<Record<TemplateId, PolicyInput>> = {
  'pci-card-numbers': {
    id: 'pci-card-numbers',
    name: 'PCI: payment card numbers',
    severity: 'high',
    content: { detectors: [{ detector: 'credit_card' }] },
  },
  'pii-us-ssn': {
    id: 'pii-us-ssn',
    name: 'PII: US Social Security numbers',
    severity: 'high',
    content: { detectors: [{ detector: 'us_ssn' }] },
  },
  'financial-iban': {
    id: 'financial-iban',
    name: 'Financial: IBANs',
    severity: 'medium',
    content: { detectors: [{ detector: 'iban' }] },
  },
  'pii-us-identity': {
    id: 'pii-us-identity',
    name: "PII: US ITINs, passport and driver's licence numbers",
    severity: 'high',
    content: { detectors: US_IDENTITY_DETECTORS.map((detector) => ({ detector })) },
  },
  'pii-uk-nino': {
    id: 'pii-uk-nino',
    name: 'PII: UK National Insurance numbers',
    severity: 'high',
    content: { detectors: [{ detector: 'uk_nino' }] },
  },
  'financial-bank-accounts': {
    id: 'financial-bank-accounts',
    name: 'Financial: routing, bank account and SWIFT/BIC numbers',
    severity: 'medium',
    content: { detectors: BANK_DETECTORS.map((detector) => ({ detector })) },
  },
  'credentials-secrets': {
    id: 'credentials-secrets',
    name: 'Credentials: keys and tokens',
    severity: 'high',
    content: { detectors: SECRET_DETECTORS.map((detector) => ({ detector })) },
  },
  'exposure-public-link': {
    id: 'exposure-public-link',
    name: 'Exposure: file shared publicly by link',
    severity: 'medium',
    filters: { accessLevels: ['public'] },
  },
  'exposure-external-users': {
    id: 'exposure-external-users',
    name: 'Exposure: file shared with external users',
    severity: 'low',
    filters: { accessLevels: ['external'] },
  },
  'sensitive-shared-externally': {
    id: 'sensitive-shared-externally',
    name: 'Sensitive content shared outside the enterprise',
    severity: 'critical',
    filters: { accessLevels: ['external', 'public'] },
    content: {
      detectors: (
        ['credit_card', 'us_ssn', 'iban', 'uk_nino', ...US_IDENTITY_DETECTORS, ...SECRET_DETECTORS] as const
      ).map((detector) => ({
        detector,
      })),
    },
  },
};
