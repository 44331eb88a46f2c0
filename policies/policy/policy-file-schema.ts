import { z } from 'zod';
import { detectorSettingsSchema } from '../detectors/detector-settings';
import { TEMPLATE_IDS } from './builtin-templates';
import { customDetectorSchema } from '../detectors/custom-detector-schema';
import { DETECTOR_IDS } from '../detectors/detector-id';
import { fileExclusionsSchema, policySchema } from './policy-schema';

/** The policy file (JSON or YAML): internal domains, the templates to enable, the user policies. */
export const policyFileSchema = z
  .strictObject({
    version: z.literal(1),
    /** The enterprise's own email domains: collaborators elsewhere are external. */
    internalDomains: z
      .array(z.string().regex(/^@?[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'a domain such as "example.com"'))
      .default([]),
    /** "all" (the default) or the list of built-in templates to enable; [] for none. */
    templates: z.union([z.literal('all'), z.array(z.enum(TEMPLATE_IDS))]).default('all'),
    policies: z.array(policySchema).default([]),
    /** Settings of the built-in detectors, such as which email domains are documentation. */
    detectorSettings: detectorSettingsSchema.prefault({}),
    /** Must be true for any policy to use `masking: none`: raw values then leave the library. */
    allowUnmaskedSamples: z.boolean().default(false),
    /** Custom detectors: regexes with an optional checksum, keyword and dictionary lists. */
    detectors: z.array(customDetectorSchema).default([]),
    /** Files no policy judges, whatever their content or sharing. */
    excludeFiles: fileExclusionsSchema.optional(),
  })
  .superRefine((file, ctx) => {
    const custom = new Set<string>();
    file.detectors.forEach((d, i) => {
      if (custom.has(d.id))
        ctx.addIssue({
          code: 'custom',
          path: ['detectors', i, 'id'],
          message: `detector id '${d.id}' is used twice`,
        });
      custom.add(d.id);
    });
    file.policies.forEach((p, i) => {
      p.content?.detectors.forEach((c, j) => {
        if (!(DETECTOR_IDS as readonly string[]).includes(c.detector) && !custom.has(c.detector))
          ctx.addIssue({
            code: 'custom',
            path: ['policies', i, 'content', 'detectors', j, 'detector'],
            message: `'${c.detector}' is neither a built-in detector (${DETECTOR_IDS.join(', ')}) nor a detector of this file`,
          });
      });
      if (p.content?.masking === 'none' && !file.allowUnmaskedSamples)
        ctx.addIssue({
          code: 'custom',
          path: ['policies', i, 'content', 'masking'],
          message:
            'masking "none" shows raw values: set allowUnmaskedSamples: true at the top of the file to allow it',
        });
    });
  });

/** A policy file as written. */
export type PolicyFileInput = z.input<typeof policyFileSchema>;

/** A validated policy file. */
export type PolicyFile = z.infer<typeof policyFileSchema>;
