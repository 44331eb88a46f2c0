import type { FileTruth } from '../../box-sim/ground-truth';

/**
 * The built-in templates' findings box-sim's ground truth calls for (no policy file; internal domains are
 * the enterprise users' login domains, so box-sim's `*.example` partner addresses are external):
 * - planted `credit_card` -> pci-card-numbers; `us_ssn` -> pii-us-ssn; `iban` -> financial-iban;
 *   `aws_access_key` -> credentials-secrets (planted `email` has no template; near misses match nothing);
 * - shared link `open` -> public -> exposure-public-link;
 * - otherwise an external collaborator (direct or inherited from a folder) -> external ->
 *   exposure-external-users (public wins over external: the widest level is the file's access level);
 * - public or external and any planted card / SSN / IBAN / AWS key -> sensitive-shared-externally.
 */
export function expectedPolicies(truth: FileTruth): string[] {
  const planted = truth.planted ?? {};
  const out: string[] = [];
  if (planted.credit_card) out.push('pci-card-numbers');
  if (planted.us_ssn) out.push('pii-us-ssn');
  if (planted.iban) out.push('financial-iban');
  if (planted.aws_access_key) out.push('credentials-secrets');
  const sensitive = out.length > 0;
  const level =
    truth.sharedLinkAccess === 'open'
      ? 'public'
      : truth.collaborators.external.length > 0
        ? 'external'
        : 'other';
  if (level === 'public') out.push('exposure-public-link');
  if (level === 'external') out.push('exposure-external-users');
  if (level !== 'other' && sensitive) out.push('sensitive-shared-externally');
  return out.sort();
}
