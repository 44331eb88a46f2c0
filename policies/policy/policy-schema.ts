import { z } from 'zod';
import { DETECTOR_IDS } from '../detectors/detector-id';
import { DEFAULT_MIN_LIKELIHOOD, LIKELIHOODS } from '../detectors/likelihood';
import { MASKING_MODES } from '../detectors/mask-sample';
import { ACCESS_LEVELS } from '../exposure/access-level';
import { SEVERITIES } from './severity';

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

/** One detector a content condition counts: at least `minMatches` values at `minLikelihood` or above. */
export const detectorConditionSchema = z.strictObject({
  detector: z.enum(DETECTOR_IDS),
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

/** Which files a policy looks at; every filter given must pass. */
export const policyFiltersSchema = z.strictObject({
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
    content: contentConditionSchema.optional(),
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
