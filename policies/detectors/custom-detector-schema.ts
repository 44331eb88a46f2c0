import { z } from 'zod';
import { CHECKSUMS } from './checksums';
import { DETECTOR_IDS } from './detector-id';
import { LIKELIHOODS } from './likelihood';

/** A regex source that compiles with the `u` flag. */
export const regexSourceSchema = z.string().refine(
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

/**
 * Words near a match that change its likelihood: `raise` one step, `lower` one step, or `require`
 * (a match without one of the words within the window is dropped). Case- and accent-insensitive,
 * whole words; the window counts characters before the match and after it.
 */
export const contextRuleSchema = z.strictObject({
  words: z.array(z.string().trim().min(1)).min(1),
  effect: z.enum(['raise', 'lower', 'require']).default('raise'),
  window: z.number().int().min(1).max(1_000).default(48),
});

const customBase = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
    .refine((id) => !(DETECTOR_IDS as readonly string[]).includes(id), 'the name of a built-in detector'),
  name: z.string().min(1),
  /** The likelihood of a match before its context words; `likely` by default. */
  likelihood: z.enum(LIKELIHOODS).default('likely'),
  context: z.array(contextRuleSchema).default([]),
};

/** A regex detector: every match of `pattern` that passes the optional checksum. */
export const regexDetectorSchema = z.strictObject({
  ...customBase,
  kind: z.literal('regex'),
  pattern: regexSourceSchema,
  caseSensitive: z.boolean().default(true),
  /** True (default): a match must be delimited by non-alphanumeric characters, as every built-in. */
  wholeWord: z.boolean().default(true),
  validator: z.enum(CHECKSUMS).optional(),
});

/**
 * A keyword or dictionary detector: any of the words or phrases, case- and accent-insensitive, as
 * whole words. `dictionary` is the same with a longer list, optionally read from a file (one entry a
 * line, relative to the policy file).
 */
export const wordsDetectorSchema = z
  .strictObject({
    ...customBase,
    kind: z.enum(['keywords', 'dictionary']),
    words: z.array(z.string().trim().min(1)).default([]),
    file: z.string().min(1).optional(),
  })
  .refine((d) => d.words.length > 0 || d.file !== undefined, {
    message: 'a keyword or dictionary detector needs words (or, for a dictionary, a file)',
  })
  .refine((d) => d.kind === 'dictionary' || d.file === undefined, {
    message: 'only a dictionary detector reads its words from a file',
  });

/** A custom detector in the policy file. */
export const customDetectorSchema = z.discriminatedUnion('kind', [regexDetectorSchema, wordsDetectorSchema]);

/** A validated custom detector definition. */
export type CustomDetectorDefinition = z.infer<typeof customDetectorSchema>;

/** A context rule, defaults filled in. */
export type ContextRuleDefinition = z.infer<typeof contextRuleSchema>;
