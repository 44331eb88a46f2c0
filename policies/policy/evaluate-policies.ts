import type { Detection } from '../detectors/detection';
import type { DetectorName } from '../detectors/detector-id';
import { reaches } from '../detectors/likelihood';
import type { MaskingMode } from '../detectors/mask-sample';
import type { CompiledPolicy } from './compile-policy-set';
import type { FileFacts } from './file-facts';
import type { MaskedSample, PolicyMatch } from './policy-match';
import type { InspectedText } from './sample-context';
import { sampleOf } from './sample-context';

const SAMPLES_PER_DETECTOR = 5;

/**
 * The policies a file matches. Each policy must already have passed its filters. A policy with a
 * content condition matches only when `inspected` is given (the content was inspected) and the
 * condition holds; a metadata-only policy matches on its filters alone.
 */
export function evaluatePolicies(
  policies: readonly CompiledPolicy[],
  file: FileFacts,
  inspected: InspectedText | undefined,
): PolicyMatch[] {
  const detections = inspected ? byDetector(inspected.detections) : undefined;
  const matches: PolicyMatch[] = [];
  for (const policy of policies) {
    const base = {
      policyId: policy.id,
      policyName: policy.name,
      severity: policy.severity,
      accessLevel: file.accessLevel,
    };
    if (!policy.content) {
      matches.push({ ...base, detectorCounts: {}, samples: [] });
      continue;
    }
    if (!detections || !inspected) continue;
    const counted = countForPolicy(policy, detections);
    const met = policy.content.detectors.map((c) => (counted.get(c.detector)?.length ?? 0) >= c.minMatches);
    if (!(policy.content.operator === 'all' ? met.every(Boolean) : met.some(Boolean))) continue;
    const detectorCounts: Partial<Record<DetectorName, number>> = {};
    const samples: MaskedSample[] = [];
    for (const [detector, found] of counted) {
      if (found.length === 0) continue;
      detectorCounts[detector] = found.length;
      samples.push(...distinctSamples(found, policy.content.masking, inspected));
    }
    matches.push({ ...base, detectorCounts, samples });
  }
  return matches;
}

/** The detections of each detector, in text order. */
function byDetector(detections: readonly Detection[]): Map<DetectorName, Detection[]> {
  const grouped = new Map<DetectorName, Detection[]>();
  for (const d of detections) {
    const list = grouped.get(d.detector);
    if (list) list.push(d);
    else grouped.set(d.detector, [d]);
  }
  return grouped;
}

/** The detections each of the policy's detector conditions counts. */
function countForPolicy(
  policy: CompiledPolicy,
  detections: ReadonlyMap<DetectorName, readonly Detection[]>,
): Map<DetectorName, Detection[]> {
  const counted = new Map<DetectorName, Detection[]>();
  const excludes = policy.excludePatterns;
  for (const condition of policy.content?.detectors ?? []) {
    const found: Detection[] = [];
    for (const d of detections.get(condition.detector) ?? []) {
      if (!reaches(d.likelihood, condition.minLikelihood)) continue;
      if (excludes.length > 0 && excludes.some((p) => p.test(d.value))) continue;
      found.push(d);
    }
    counted.set(condition.detector, found);
  }
  return counted;
}

// Distinct by value: with full masking, different values look alike.
function distinctSamples(
  found: readonly Detection[],
  mode: MaskingMode,
  inspected: InspectedText,
): MaskedSample[] {
  const samples = new Map<string, MaskedSample>();
  const seen = new Set<string>(); // raw values already keyed: a file repeats its values
  for (const d of found) {
    if (samples.size >= SAMPLES_PER_DETECTOR) break;
    if (seen.has(d.value)) continue;
    seen.add(d.value);
    const key = d.value.replace(/\s+/g, ' ');
    if (!samples.has(key)) samples.set(key, sampleOf(d, mode, inspected));
  }
  return [...samples.values()];
}
