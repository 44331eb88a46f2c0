import { z } from 'zod';

const domainSchema = z
  .string()
  .regex(/^\.?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/, 'a domain such as "acme-test.com"')
  .transform((d) => d.toLowerCase().replace(/^\./, ''));

/** How the email detector treats documentation and test domains. */
export const emailSettingsSchema = z.strictObject({
  /**
   * RFC 2606 / 6761 reserved names (example.com, example.net, example.org, *.example, *.test,
   * *.invalid, *.localhost, *.local) are documentation and test addresses, never a mailbox: not
   * reported unless this is false.
   */
  ignoreReservedDomains: z.boolean().default(true),
  /** More domains (and their subdomains) whose addresses are never reported: an enterprise's test domain. */
  ignoreDomains: z.array(domainSchema).default([]),
});

/** Settings of the built-in detectors, for the whole policy set (a detector runs once per file). */
export const detectorSettingsSchema = z.strictObject({
  email: emailSettingsSchema.prefault({}),
});

/** Validated detector settings, defaults filled in. */
export type DetectorSettings = z.infer<typeof detectorSettingsSchema>;

/** Detector settings as written in a policy file. */
export type DetectorSettingsInput = z.input<typeof detectorSettingsSchema>;

/** The settings of a policy file that says nothing about detectors. */
export const DEFAULT_DETECTOR_SETTINGS: DetectorSettings = detectorSettingsSchema.parse({});
