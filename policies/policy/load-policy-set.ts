import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CompiledPolicySet, CompileOptions } from './compile-policy-set';
import { compilePolicySet } from './compile-policy-set';
import type { PolicyFileInput } from './policy-file-schema';
import { PolicySetError } from './policy-set-error';

/**
 * Loads and compiles a policy set from a JSON or YAML file (by its extension; YAML otherwise, which
 * also reads JSON), or compiles an object already in memory. Without a file, pass `{ version: 1 }`
 * to get the built-in templates. `options.internalDomains` (from configuration) join the file's own.
 */
export async function loadPolicySet(
  fileOrObject: string | PolicyFileInput,
  options: CompileOptions = {},
): Promise<CompiledPolicySet> {
  if (typeof fileOrObject !== 'string') return compilePolicySet(fileOrObject, 'policy set', options);
  let text: string;
  try {
    text = await readFile(fileOrObject, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicySetError(`cannot read the policy file ${fileOrObject}: ${reason}`, fileOrObject);
  }
  let content: unknown;
  try {
    content = extname(fileOrObject).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicySetError(
      `the policy file ${fileOrObject} is not valid JSON or YAML: ${reason}`,
      fileOrObject,
    );
  }
  return compilePolicySet(content, fileOrObject, options);
}
