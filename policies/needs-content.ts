import { evaluateExposure } from './exposure/evaluate-exposure';
import { extensionOf, isNotInspectable } from './extraction/document-format';
import type { FileMetadata } from './file-to-inspect';
import { fileToInspectSchema } from './file-to-inspect';
import type { InspectionLimits } from './inspection-limits';
import { resolveLimits } from './inspection-limits';
import type { CompiledPolicySet } from './policy/compile-policy-set';
import { exclusionFor, policyApplies } from './policy/policy-filters';

// Made once: zod compiles a schema on its first parse, and omit() makes a new one each time.
const metadataSchema = fileToInspectSchema.omit({ content: true });

/**
 * True when inspecting the file needs its content: some enabled policy with a content condition
 * passes the file's metadata filters, and the file is small enough and of a format that is
 * inspected (and its metadata valid). When false, the scan calls {@link inspectFile} without content and skips the download.
 */
export function needsContent(
  policySet: CompiledPolicySet,
  file: FileMetadata,
  limits?: Partial<InspectionLimits>,
): boolean {
  // Malformed metadata gets a Failed status from inspectFile: no point downloading for it.
  if (!metadataSchema.safeParse(file).success) return false;
  const extension = (file.extension ?? extensionOf(file.name)).toLowerCase().replace(/^\./, '');
  const tooLarge = file.size > resolveLimits(limits).maxFileBytes;
  if (file.size === 0 || tooLarge || isNotInspectable(extension)) return false;
  const { accessLevel } = evaluateExposure(file.sharing, policySet.internalDomains);
  const facts = {
    name: file.name,
    extension,
    size: file.size,
    ownerLogin: file.ownerLogin,
    path: file.path,
    accessLevel,
  };
  if (exclusionFor(policySet.excludeFiles, facts)) return false;
  return policySet.policies.some((p) => p.content !== undefined && policyApplies(p, facts));
}
