import { wordsPattern } from './context-words';
import { patternDetector } from './pattern-detector';

const PLACEHOLDER = /your|example|sample|placeholder|changeme|dummy|xxxx|redacted|fake/i;

/**
 * Azure storage account keys: the 88-character base64 key of a connection string
 * (`DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...==`) or of an `AccountKey`-like
 * assignment. The Azurite emulator's published key is not a secret.
 */
export const azureStorageKeyDetector = patternDetector({
  id: 'azure_storage_key',
  candidate:
    /(?:AccountKey|account_key|accountKey|AZURE_STORAGE_KEY|AZURE_STORAGE_ACCOUNT_KEY|StorageKey)\\?["']?\s*[=:]\s*\\?["']?(?<value>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/g,
  isValid: (value) =>
    !value.startsWith(
      'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw',
    ),
  base: 'very_likely',
  mayContain: (text) => text.includes('=='),
  // The key names, lower-cased: accountkey, account_key, azure_storage_key, azure_storage_account_key, storagekey.
  anchors: [
    { literal: 'accountkey', ignoreCase: true, back: 0, by: 'k' },
    { literal: 'account_key', ignoreCase: true, back: [0, 'azure_storage_'.length], by: 'k' },
    { literal: 'storagekey', ignoreCase: true, back: 0, by: 'k' },
    { literal: 'storage_key', ignoreCase: true, back: ['azure_'.length], by: 'k' },
  ],
});

/** Google API keys (`AIza` and 35 characters): Maps, Firebase, Cloud. */
export const googleApiKeyDetector = patternDetector({
  id: 'google_api_key',
  candidate: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g,
  isValid: (value) => !PLACEHOLDER.test(value),
  base: 'very_likely',
  anchors: [{ literal: 'AIza', back: 0, by: 'A' }],
});

/**
 * Stripe secret and restricted keys in live mode (`sk_live_`, `rk_live_`). Test-mode keys
 * (`sk_test_`) reach no money and are left out, like the published test card numbers.
 */
export const stripeSecretKeyDetector = patternDetector({
  id: 'stripe_secret_key',
  candidate: /(?<![A-Za-z0-9_])(?:sk|rk)_live_[0-9a-zA-Z]{24,99}(?![A-Za-z0-9_])/g,
  isValid: (value) => !PLACEHOLDER.test(value),
  base: 'very_likely',
  context: { hotwords: wordsPattern(['stripe']) },
  anchors: [{ literal: 'k_live_', back: 1, by: '_' }],
});
