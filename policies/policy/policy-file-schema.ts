import { z } from 'zod';
import { detectorSettingsSchema } from '../detectors/detector-settings';
import { TEMPLATE_IDS } from './builtin-templates';
import { policySchema } from './policy-schema';

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
  })
  .superRefine((file, ctx) => {
    file.policies.forEach((p, i) => {
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
