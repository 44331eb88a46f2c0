import { CHECKSUM_TESTS } from './checksums';
import type { ContextRuleDefinition, CustomDetectorDefinition } from './custom-detector-schema';
import type { Detection, Detector } from './detection';
import type { Likelihood } from './likelihood';
import { stepLikelihood } from './likelihood';
import { foldText } from './text-folding';

/** A custom detector definition with its words resolved (a dictionary file read). */
export type ResolvedCustomDetector = CustomDetectorDefinition & { readonly words?: readonly string[] };

interface CompiledContextRule {
  readonly effect: ContextRuleDefinition['effect'];
  readonly window: number;
  readonly words: RegExp;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One regex matching any of `words` as whole words in folded text (see foldText): spaces in a phrase
 * match any run of whitespace.
 */
export function wordsRegex(words: readonly string[], flags = 'gu'): RegExp {
  const alternatives = [...new Set(words.map((w) => foldText(w.trim())))]
    .filter((w) => w.length > 0)
    .sort((a, b) => b.length - a.length) // longest first: "new york city" before "new york"
    .map((w) => w.split(/\s+/).map(escapeRegex).join('\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, flags);
}

// The folded text of the last call: several keyword detectors and context rules share it.
let lastText: string | undefined;
let lastFolded = '';
function folded(text: string): string {
  if (text !== lastText) lastFolded = foldText(text);
  lastText = text; // compare by reference next time
  return lastFolded;
}

/**
 * The detector a custom definition describes. Regex matches are delimited like every value (unless
 * `wholeWord: false`) and must pass the validator's checksum; keyword and dictionary entries match as
 * whole words, case- and accent-insensitive. Context rules then raise, lower or require.
 */
export function compileCustomDetector(definition: ResolvedCustomDetector): Detector {
  const rules: CompiledContextRule[] = definition.context.map((r) => ({
    effect: r.effect,
    window: r.window,
    words: wordsRegex(r.words, 'u'),
  }));
  const likelihoodAt = (text: string, start: number, end: number): Likelihood | undefined =>
    applyContext(folded(text), start, end, definition.likelihood, rules);
  if (definition.kind === 'regex') {
    const body = definition.wholeWord
      ? `(?<![\\p{L}\\p{N}])(?:${definition.pattern})(?![\\p{L}\\p{N}])`
      : definition.pattern;
    const pattern = new RegExp(body, definition.caseSensitive ? 'gu' : 'giu');
    const checksum = definition.validator ? CHECKSUM_TESTS[definition.validator] : undefined;
    return {
      ids: [definition.id],
      find(text) {
        const found: Detection[] = [];
        for (const m of text.matchAll(pattern)) {
          if (m[0].length === 0 || (checksum && !checksum(m[0]))) continue;
          const end = m.index + m[0].length;
          const likelihood = likelihoodAt(text, m.index, end);
          if (likelihood)
            found.push({ detector: definition.id, value: m[0], start: m.index, end, likelihood });
        }
        return found;
      },
    };
  }
  const pattern = wordsRegex(definition.words ?? []);
  return {
    ids: [definition.id],
    find(text) {
      const found: Detection[] = [];
      for (const m of folded(text).matchAll(pattern)) {
        const end = m.index + m[0].length;
        const likelihood = likelihoodAt(text, m.index, end);
        if (likelihood)
          found.push({
            detector: definition.id,
            value: text.slice(m.index, end),
            start: m.index,
            end,
            likelihood,
          });
      }
      return found;
    },
  };
}

function applyContext(
  foldedText: string,
  start: number,
  end: number,
  base: Likelihood,
  rules: readonly CompiledContextRule[],
): Likelihood | undefined {
  let steps = 0;
  for (const rule of rules) {
    const window = `${foldedText.slice(Math.max(0, start - rule.window), start)} ${foldedText.slice(end, end + rule.window)}`;
    const present = rule.words.test(window);
    if (rule.effect === 'require' && !present) return undefined;
    if (rule.effect === 'raise' && present) steps++;
    if (rule.effect === 'lower' && present) steps--;
  }
  return stepLikelihood(base, steps);
}
