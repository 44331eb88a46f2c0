import { z } from 'zod';
import { regexSourceSchema } from '../detectors/custom-detector-schema';
import { DEFAULT_MIN_LIKELIHOOD, LIKELIHOODS } from '../detectors/likelihood';
import { MASKING_MODES } from '../detectors/mask-sample';
import { ACCESS_LEVELS } from '../exposure/access-level';
import { SEVERITIES } from './severity';
import { policyActionSchema } from './governance-action-schema';

const regexSource = regexSourceSchema;

/** One detector a content condition counts: at least `minMatches` values at `minLikelihood` or above. */
export const detectorConditionSchema = z.strictObject({
  /** A built-in detector id or the id of a custom detector of the file (checked with the file). */
  detector: z.string().min(1),
  minMatches: z.number().int().min(1).default(1),
  minLikelihood: z.enum(LIKELIHOODS).default(DEFAULT_MIN_LIKELIHOOD),
});

/** What the content must hold: any or all of the detector conditions, after the exclusions. */
export const contentConditionSchema = z.strictObject({
  operator: z.enum(['any', 'all']).default('any'),
  detectors: z.array(detectorConditionSchema).min(1),
  /** Values matching one of these patterns are not counted (an enterprise's own test numbers, say). */
  exclude: z.array(regexSource).default([]),
  /** How samples show the values: last4 (default), full, or none (needs `allowUnmaskedSamples`). */
  masking: z.enum(MASKING_MODES).default('last4'),
});

const fileNamePatterns = z
  .array(z.string().min(1))
  .min(1)
  .describe('file name patterns, any case: * any characters, ? one character');

/**
 * Files left out whole: a file matching any one of the criteria given is not judged by the policy
 * (or by any policy, at the top of the file), whatever its content.
 */
export const fileExclusionsSchema = z.strictObject({
  fileNames: fileNamePatterns.optional(),
  extensions: z
    .array(z.string().regex(/^\.?[A-Za-z0-9]+$/, 'an extension such as "xlsx"'))
    .min(1)
    .optional(),
  folderPaths: z.array(z.string().startsWith('/', 'a folder path starts with "/"')).min(1).optional(),
  owners: z.array(z.string().min(1)).min(1).optional(),
});

/** Which files a policy looks at; every filter given must pass. */
export const policyFiltersSchema = z.strictObject({
  /** File name patterns (`*payroll*.xlsx`, `?-report.pdf`), any case: one must match. */
  fileNames: fileNamePatterns.optional(),
  accessLevels: z.array(z.enum(ACCESS_LEVELS)).min(1).optional(),
  /** Extensions without the dot, any case. */
  extensions: z
    .array(z.string().regex(/^\.?[A-Za-z0-9]+$/, 'an extension such as "xlsx"'))
    .min(1)
    .optional(),
  /** Owner logins (email addresses), any case. */
  owners: z.array(z.string().min(1)).min(1).optional(),
  /** Folder paths such as "/Finance/Payroll": the folder and everything below it. */
  folderPaths: z.array(z.string().startsWith('/', 'a folder path starts with "/"')).min(1).optional(),
  minSizeBytes: z.number().int().nonnegative().optional(),
  maxSizeBytes: z.number().int().nonnegative().optional(),
});

/** One policy: filters on metadata and sharing, an optional content condition, a severity. */
export const policySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    name: z.string().min(1),
    description: z.string().optional(),
    severity: z.enum(SEVERITIES),
    enabled: z.boolean().default(true),
    filters: policyFiltersSchema.default({}),
    /** Files this policy never judges. */
    excludeFiles: fileExclusionsSchema.optional(),
    content: contentConditionSchema.optional(),
    /** Governance actions taken on a file when the policy newly matches it (docs/governance.md). */
    actions: z.array(policyActionSchema).max(10).default([]),
  })
  .refine((p) => p.content !== undefined || Object.keys(p.filters).length > 0, {
    message: 'a policy needs at least one filter or a content condition, or it would match every file',
  });

/** A validated policy, defaults filled in. */
export type Policy = z.infer<typeof policySchema>;

/** A policy as written in a file, defaults left out. */
export type PolicyInput = z.input<typeof policySchema>;

/** A content condition, defaults filled in. */
export type ContentCondition = z.infer<typeof contentConditionSchema>;

/** A policy's filters. */
export type PolicyFilters = z.infer<typeof policyFiltersSchema>;

/** Whole-file exclusions. */
export type FileExclusions = z.infer<typeof fileExclusionsSchema>;
