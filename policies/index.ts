/**
 * The policies library: what the scan calls for each file. Pure apart from reading a policy file:
 * no network, no store, no Temporal.
 */
export { inspectFile } from './inspect-file';
export { configureSharedInspectionPool, InspectionPool, sharedInspectionPool } from './inspection-pool';
export type { InspectionPoolOptions } from './inspection-pool';
export type { InspectionTask, PolicySource } from './inspection-task';
export { needsContent } from './needs-content';
export type { FileToInspect, FileMetadata } from './file-to-inspect';
export type { InspectionResult } from './inspection-result';
export type { ArchiveMember } from './extraction/archive-text';
export { INSPECTION_STATUSES, isInspectionStatus } from './inspection-status';
export type { InspectionStatus } from './inspection-status';
export { DEFAULT_INSPECTION_LIMITS, resolveLimits } from './inspection-limits';
export type { InspectionLimits } from './inspection-limits';
export { evaluateExposure } from './exposure/evaluate-exposure';
export type { Exposure } from './exposure/evaluate-exposure';
export { ACCESS_LEVELS, isAccessLevel } from './exposure/access-level';
export type { AccessLevel } from './exposure/access-level';
export { fileSharingSchema, isSharedLinkAccess, SHARED_LINK_ACCESSES } from './exposure/file-sharing';
export type { FileSharing, Collaborator, SharedLinkAccess } from './exposure/file-sharing';
export { DETECTOR_IDS, isDetectorId } from './detectors/detector-id';
export type { DetectorId, DetectorName } from './detectors/detector-id';
export { DEFAULT_DETECTOR_SETTINGS } from './detectors/detector-settings';
export type { DetectorSettings, DetectorSettingsInput } from './detectors/detector-settings';
export { LIKELIHOODS, isLikelihood } from './detectors/likelihood';
export type { Likelihood } from './detectors/likelihood';
export { loadPolicySet } from './policy/load-policy-set';
export { compilePolicySet, DETECTION_ENGINE_VERSION } from './policy/compile-policy-set';
export type { CompiledPolicySet, CompiledPolicy, CompileOptions } from './policy/compile-policy-set';
export { PolicySetError } from './policy/policy-set-error';
export { BUILTIN_TEMPLATES, TEMPLATE_IDS, isTemplateId } from './policy/builtin-templates';
export type { TemplateId } from './policy/builtin-templates';
export type { PolicyFileInput } from './policy/policy-file-schema';
export type { Policy, PolicyInput } from './policy/policy-schema';
export type { PolicyMatch, MaskedSample } from './policy/policy-match';
export { MASKING_MODES, maskSample, maskValue } from './detectors/mask-sample';
export type { MaskingMode } from './detectors/mask-sample';
export type { TextSection } from './extraction/text-budget';
export { SEVERITIES, isSeverity } from './policy/severity';
export type { Severity } from './policy/severity';
export {
  GOVERNANCE_PARAMS_SCHEMAS,
  parseGovernanceParams,
  policyActionSchema,
} from './policy/governance-action-schema';
export type { PolicyAction } from './policy/governance-action-schema';
