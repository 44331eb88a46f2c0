import type { Likelihood } from './likelihood';
import { stepLikelihood } from './likelihood';

/** Words near a match that make it more (hotwords) or less (negative words) likely, as regexes. */
export interface ContextRule {
  readonly hotwords: RegExp;
  readonly negativeWords?: RegExp;
}

// Like Presidio's context window: a label usually precedes its value ("SSN: ...") within a few words.
const BEFORE = 48;
const AFTER = 16;

/**
 * The likelihood of a match after looking at the words around it: one step up for a hotword, one
 * step down for a negative word (both cancel out). `undefined` means "drop it".
 */
export function adjustForContext(
  text: string,
  start: number,
  end: number,
  base: Likelihood,
  rule: ContextRule,
): Likelihood | undefined {
  const window = text.slice(Math.max(0, start - BEFORE), Math.min(text.length, end + AFTER)).toLowerCase();
  let steps = 0;
  if (rule.hotwords.test(window)) steps++;
  if (rule.negativeWords?.test(window)) steps--;
  return stepLikelihood(base, steps);
}

/** Builds a case-insensitive word regex from a list of words or phrases. */
export function wordsPattern(words: readonly string[]): RegExp {
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s_-]?'));
  return new RegExp(`(?:^|[^a-z0-9])(?:${escaped.join('|')})(?![a-z])`, 'i');
}
