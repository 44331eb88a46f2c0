import { randomUUID } from 'node:crypto';
import type { ExpectedFileState } from '../domain/governance';
import type { CompiledPolicySet } from '../policies';
import type { FindingRow } from '../store/findings-repository';
import type { NewGovernanceAction } from '../store/governance-repository';
import type { FileRow } from '../store/inventory-repository';

/**
 * The actions the policies ask for on findings opened now: one per finding and action of its policy,
 * keyed `<finding id>/<index>` so recording them twice records them once. Each remembers what the scan
 * saw of the file (sha1, shared link, the file's own collaborators): the action skips when that changed.
 */
export function actionsForOpenedFindings(
  connectorId: string,
  opened: readonly FindingRow[],
  files: ReadonlyMap<string, FileRow>,
  policySet: CompiledPolicySet,
  now: string,
): NewGovernanceAction[] {
  const policies = new Map(policySet.policies.map((p) => [p.id, p]));
  const out: NewGovernanceAction[] = [];
  for (const finding of opened) {
    const policy = policies.get(finding.policy_id);
    const file = files.get(finding.file_id);
    if (!policy || !file || policy.actions.length === 0) continue;
    const expected: ExpectedFileState = {
      sha1: file.sha1,
      sharedLinkAccess: file.shared_link_access,
      collaborators: (JSON.parse(file.direct_collaborators_json) as string[])
        .filter((c) => !c.startsWith('group:'))
        .map((c) => c.toLowerCase())
        .sort(),
    };
    policy.actions.forEach((action, index) => {
      const approval = action.approval === 'required';
      out.push({
        id: randomUUID(),
        connectorId,
        fileId: finding.file_id,
        ownerId: file.owner_id,
        kind: action.kind,
        params: action.params,
        policyId: policy.id,
        findingId: finding.id,
        sourceKey: `${finding.id}/${index}`,
        mode: approval ? 'approval' : 'automatic',
        dryRun: action.dryRun,
        requestedBy: `policy:${policy.id}`,
        expiresAt: approval
          ? new Date(Date.parse(now) + action.expiresInDays * 86_400_000).toISOString()
          : null,
        expected,
      });
    });
  }
  return out;
}
