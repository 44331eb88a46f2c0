import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { Node } from 'yaml';
import { isMap, isNode, LineCounter, parseDocument } from 'yaml';
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
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const locate = (path: readonly PropertyKey[], atKey = false) =>
    locateIn(document.contents, path, lineCounter, atKey);
  let content: unknown;
  try {
    if (extname(fileOrObject).toLowerCase() === '.json') content = JSON.parse(text);
    else {
      const [syntax] = document.errors;
      if (syntax) {
        const { line, col } = lineCounter.linePos(syntax.pos[0]);
        throw new Error(`line ${line}, column ${col}: ${syntax.message.split('\n')[0]}`);
      }
      content = document.toJS();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicySetError(
      `the policy file ${fileOrObject} is not valid JSON or YAML: ${reason}`,
      fileOrObject,
    );
  }
  const set = compilePolicySet(content, fileOrObject, { baseDir: dirname(fileOrObject), ...options, locate });
  return { ...set, source: { ...set.source, object: undefined, file: fileOrObject } };
}

/**
 * `line L, column C` of the value at `path` in the parsed file (of the key itself with `atKey`: an
 * unknown key), or of its nearest written ancestor (a missing key points at the object that lacks
 * it). JSON is YAML, so this works for both.
 */
function locateIn(
  root: unknown,
  path: readonly PropertyKey[],
  lines: LineCounter,
  atKey: boolean,
): string | undefined {
  let node: unknown = root;
  let found: Node | undefined = isNode(root) ? root : undefined;
  for (const [index, key] of path.entries()) {
    if (!isNode(node)) break;
    if (atKey && index === path.length - 1 && isMap(node)) {
      const pair = node.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === key);
      if (pair && isNode(pair.key)) found = pair.key;
      break;
    }
    const next: unknown = (node as { get?: (k: unknown, keepScalar: boolean) => unknown }).get?.(
      typeof key === 'number' ? key : String(key),
      true,
    );
    if (!isNode(next)) break;
    node = next;
    found = next;
  }
  const start = found?.range?.[0];
  if (start === undefined) return undefined;
  const { line, col } = lines.linePos(start);
  return `line ${line}, column ${col}`;
}
