import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CustomDetectorDefinition } from '../detectors/custom-detector-schema';
import type { ResolvedCustomDetector } from '../detectors/custom-detectors';
import { compileCustomDetector } from '../detectors/custom-detectors';
import type { Detector } from '../detectors/detection';
import type { DetectorName } from '../detectors/detector-id';
import type { DetectorSettings } from '../detectors/detector-settings';
import { BUILTIN_TEMPLATES, TEMPLATE_IDS } from './builtin-templates';
import { canonicalJson } from './canonical-json';
import { policyFileSchema } from './policy-file-schema';
import type { PolicySource } from '../inspection-task';
import type { PolicyFileInput } from './policy-file-schema';
import type { FileExclusions, Policy } from './policy-schema';
import { policySchema } from './policy-schema';
import { PolicySetError } from './policy-set-error';

/**
 * Bumped whenever a detector, the extraction or the evaluation changes what a file yields: it is part
 * of the policy-set version, so a new library rescans files that an old one judged.
 */
export const DETECTION_ENGINE_VERSION = '2';

/** What the deployment adds to a policy file. */
export interface CompileOptions {
  /** Internal domains from the deployment's configuration, added to the file's own. */
  readonly internalDomains?: readonly string[];
  /** The folder dictionary files are read from (the policy file's); the working directory otherwise. */
  readonly baseDir?: string;
  /** Where the value at a path of the input was written (`line 4, column 9`), for error messages. */
  readonly locate?: (path: readonly PropertyKey[], atKey?: boolean) => string | undefined;
}

/** A policy ready to evaluate: validated, its exclusion patterns compiled. */
export interface CompiledPolicy extends Policy {
  readonly excludePatterns: readonly RegExp[];
}

/** The policies in force; `version` changes exactly when the result of a scan could change. */
export interface CompiledPolicySet {
  /** sha256 (hex) of the canonical JSON of the enabled policies, internal domains, detector settings and engine version. */
  readonly version: string;
  readonly internalDomains: readonly string[];
  readonly policies: readonly CompiledPolicy[];
  /** The detectors some enabled policy counts: only these run. */
  readonly detectors: readonly DetectorName[];
  /** The built-in detectors' settings from the file (defaults filled in). */
  readonly detectorSettings: DetectorSettings;
  /** The file's custom detectors, compiled (they run only when a policy counts them). */
  readonly customDetectors: readonly Detector[];
  /** Files no policy judges. */
  readonly excludeFiles?: FileExclusions;
  /** What it was compiled from, so an inspection-pool thread can compile the same set. */
  readonly source?: PolicySource;
}

/**
 * Validates a policy file's content (a `PolicyFileInput`, already parsed from JSON or YAML) and compiles it with the
 * enabled built-in templates. `source` names it in error messages.
 */
export function compilePolicySet(
  input: unknown,
  source = 'policy set',
  options: CompileOptions = {},
): CompiledPolicySet {
  const parsed = policyFileSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      // An unknown key is reported on its object: locate the key itself.
      const key = i.code === 'unrecognized_keys' ? i.keys[0] : undefined;
      const at = key === undefined ? options.locate?.(i.path) : options.locate?.([...i.path, key], true);
      return `${i.path.join('.') || '(root)'}${at ? ` (${at})` : ''}: ${i.message}`;
    });
    throw new PolicySetError(`the policy set in ${source} is invalid`, source, issues);
  }
  const file = parsed.data;
  const templateIds = file.templates === 'all' ? TEMPLATE_IDS : file.templates;
  const templates = templateIds.map((id) => policySchema.parse(BUILTIN_TEMPLATES[id]));
  const all = [...templates, ...file.policies];
  const seen = new Set<string>();
  for (const p of all) {
    if (seen.has(p.id)) throw new PolicySetError(`policy id '${p.id}' is used twice in ${source}`, source);
    seen.add(p.id);
  }
  const enabled = all.filter((p) => p.enabled).sort((a, b) => (a.id < b.id ? -1 : 1));
  const domains = [...file.internalDomains, ...(options.internalDomains ?? [])];
  const normalized = domains.map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean);
  const internalDomains = [...new Set(normalized)].sort();
  const custom = file.detectors.map((d) => resolveWords(d, source, options.baseDir));
  const version = createHash('sha256')
    .update(
      canonicalJson({
        engine: DETECTION_ENGINE_VERSION,
        internalDomains,
        // Actions change what is done about a finding, never what a scan finds: a new action rescans nothing.
        policies: enabled.map(({ actions: _, ...judged }) => judged),
        detectorSettings: file.detectorSettings,
        customDetectors: custom,
        excludeFiles: file.excludeFiles,
      }),
    )
    .digest('hex');
  const detectors = new Set<DetectorName>();
  for (const p of enabled) for (const c of p.content?.detectors ?? []) detectors.add(c.detector);
  return {
    version,
    internalDomains,
    policies: enabled.map((p) => ({
      ...p,
      excludePatterns: (p.content?.exclude ?? []).map((s) => new RegExp(s, 'u')),
    })),
    detectors: [...detectors].sort(),
    detectorSettings: file.detectorSettings,
    customDetectors: custom.map(compileCustomDetector),
    source: {
      object: input as PolicyFileInput,
      ...(options.internalDomains ? { internalDomains: options.internalDomains } : {}),
      ...(options.baseDir ? { baseDir: options.baseDir } : {}),
    },
    ...(file.excludeFiles ? { excludeFiles: file.excludeFiles } : {}),
  };
}

/** A dictionary's words with its file read (one entry a line; blank lines and `#` comments skipped). */
function resolveWords(
  definition: CustomDetectorDefinition,
  source: string,
  baseDir: string | undefined,
): ResolvedCustomDetector {
  if (definition.kind === 'regex' || definition.file === undefined) return definition;
  const path = resolve(baseDir ?? process.cwd(), definition.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicySetError(
      `the dictionary file of detector '${definition.id}' in ${source} cannot be read: ${reason}`,
      source,
    );
  }
  const fromFile = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  const { file: _, ...rest } = definition;
  return { ...rest, words: [...definition.words, ...fromFile] };
}
