import { detectSensitiveData } from './detectors/all-detectors';
import type { DetectorName } from './detectors/detector-id';
import { DEFAULT_MIN_LIKELIHOOD, reaches } from './detectors/likelihood';
import type { Exposure } from './exposure/evaluate-exposure';
import { evaluateExposure } from './exposure/evaluate-exposure';
import { extensionOf, isNotInspectable } from './extraction/document-format';
import { extractText } from './extraction/extract-text';
import type { FileToInspect } from './file-to-inspect';
import { fileToInspectSchema } from './file-to-inspect';
import type { InspectionLimits } from './inspection-limits';
import { resolveLimits } from './inspection-limits';
import type { InspectionResult } from './inspection-result';
import type { InspectionStatus } from './inspection-status';
import type { CompiledPolicy, CompiledPolicySet } from './policy/compile-policy-set';
import { evaluatePolicies } from './policy/evaluate-policies';
import type { FileFacts } from './policy/file-facts';
import type { InspectedText } from './policy/sample-context';
import { exclusionFor, policyApplies } from './policy/policy-filters';

const NO_EXPOSURE: Exposure = { accessLevel: 'private', externalDomains: [], reason: 'sharing unknown' };

/**
 * Inspects one file against the policy set: exposure from its sharing, text from its content,
 * detectors, then policies. The one entry point of the scan. Never throws: bad input, an unreadable
 * file or a bug all come back as a status with a reason, and metadata-only policies (exposure) are
 * evaluated whatever happens to the content.
 */
export async function inspectFile(
  input: FileToInspect,
  policySet: CompiledPolicySet,
  limits?: Partial<InspectionLimits>,
): Promise<InspectionResult> {
  const parsed = fileToInspectSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
      .join('; ');
    return result(policySet, 'Failed', `invalid file description: ${problems}`, NO_EXPOSURE, [], undefined);
  }
  const file = parsed.data;
  const exposure = evaluateExposure(file.sharing, policySet.internalDomains);
  const facts = factsOf(file, exposure);
  const excluded = exclusionFor(policySet.excludeFiles, facts);
  if (excluded) {
    return result(
      policySet,
      'NotApplicable',
      `excluded by the policy file (${excluded})`,
      exposure,
      [],
      facts,
    );
  }
  const applicable = policySet.policies.filter((p) => policyApplies(p, facts));
  const finish = (status: InspectionStatus, reason: string, inspected?: InspectedText, textLength = 0) =>
    result(policySet, status, reason, exposure, applicable, facts, inspected, textLength);
  try {
    const contentPolicies = applicable.filter((p) => p.content !== undefined);
    const resolved = resolveLimits(limits);
    const { maxFileBytes } = resolved;
    if (contentPolicies.length === 0) {
      return finish('NotApplicable', 'no content policy applies to this file');
    }
    const size = Math.max(file.size, file.content?.byteLength ?? 0);
    if (size > maxFileBytes) {
      return finish(
        'SizeExceeded',
        `the file has ${size} bytes, more than the ${maxFileBytes} bytes inspected`,
      );
    }
    if (isNotInspectable(facts.extension)) {
      return finish('Unsupported', `.${facts.extension} files are not inspected for content`);
    }
    if (file.size === 0 && (file.content?.byteLength ?? 0) === 0) {
      return finish('NotApplicable', 'the file is empty');
    }
    if (file.content === undefined) {
      const ids = contentPolicies.map((p) => p.id).join(', ');
      return finish('Failed', `the content was not provided, but policies need it: ${ids}`);
    }
    if (file.content.byteLength === 0) {
      return finish('Failed', `the file has ${file.size} bytes but no content was read`);
    }
    const extracted = await extractText(
      file.content,
      file.extension ?? extensionOf(file.name),
      resolved,
      file.name,
    );
    const members = extracted.members ? { members: extracted.members } : {};
    if (extracted.status !== 'Completed' && extracted.status !== 'Truncated') {
      return { ...finish(extracted.status, extracted.reason), ...members };
    }
    const detections = await detectSensitiveData(
      extracted.text,
      detectorsFor(contentPolicies),
      policySet.detectorSettings,
      policySet.customDetectors,
    );
    const inspected = { text: extracted.text, sections: extracted.sections, detections };
    return { ...finish(extracted.status, extracted.reason, inspected, extracted.text.length), ...members };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return finish('Failed', `inspection failed unexpectedly: ${message}`);
  }
}

function factsOf(file: FileToInspect, exposure: Exposure): FileFacts {
  const extension = (file.extension ?? extensionOf(file.name)).toLowerCase().replace(/^\./, '');
  return {
    name: file.name,
    extension,
    size: file.size,
    ownerLogin: file.ownerLogin,
    path: file.path,
    accessLevel: exposure.accessLevel,
  };
}

function detectorsFor(policies: readonly CompiledPolicy[]): Set<DetectorName> {
  return new Set(policies.flatMap((p) => p.content?.detectors.map((c) => c.detector) ?? []));
}

function result(
  policySet: CompiledPolicySet,
  status: InspectionStatus,
  reason: string,
  exposure: Exposure,
  applicable: readonly CompiledPolicy[],
  facts: FileFacts | undefined,
  inspected?: InspectedText,
  textLength = 0,
): InspectionResult {
  const detectorCounts: Partial<Record<DetectorName, number>> = {};
  for (const d of inspected?.detections ?? []) {
    if (!reaches(d.likelihood, DEFAULT_MIN_LIKELIHOOD)) continue;
    detectorCounts[d.detector] = (detectorCounts[d.detector] ?? 0) + 1;
  }
  const matches = facts ? evaluatePolicies(applicable, facts, inspected) : [];
  return {
    status,
    reason,
    textLength,
    exposure,
    matches,
    detectorCounts,
    policySetVersion: policySet.version,
  };
}
