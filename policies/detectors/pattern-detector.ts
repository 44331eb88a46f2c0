import type { ContextRule } from './context-words';
import type { StartKind, StartTest } from './candidate-scan';
import { matchesAt, startsWhere, stickyCopy, valueStarts } from './candidate-scan';
import { adjustForContext, anyOfWords, hasHotword } from './context-words';
import type { Detection, Detector } from './detection';
import type { DetectorId } from './detector-id';
import type { Likelihood } from './likelihood';

/** A built-in detector made of a candidate regex, a validator and context words. */
export interface PatternDetectorSpec {
  readonly id: DetectorId;
  /** Global regex; group `value` (when present) is the reported value, else the whole match. */
  readonly candidate: RegExp;
  /** The reported value when it is not group `value` or the match (it ends the match or near it). */
  readonly valueIn?: (match: RegExpMatchArray) => string;
  /** Drops a candidate that fails the format's checksum or rules; `undefined` keeps all. */
  readonly isValid?: (value: string, match: RegExpMatchArray) => boolean;
  /** The likelihood before context. */
  readonly base: Likelihood | ((value: string) => Likelihood);
  readonly context?: ContextRule;
  /**
   * For formats with no checksum: a candidate without a hotword near it is dropped, not merely
   * `possible` (a nine-digit passport number is just a number otherwise).
   */
  readonly requireHotword?: boolean;
  /** A cheap test a text must pass to hold any candidate (a literal the pattern needs). */
  readonly mayContain?: (text: string) => boolean;
  /**
   * A fast global regex for a literal every candidate starts with: `candidate` (then sticky, `y`) is
   * tried only where it matches, instead of at every offset (a leading lookbehind is slow to scan with).
   */
  readonly anchor?: RegExp;
  /**
   * Which runs of capitals and digits every candidate begins (candidate-scan.ts): `candidate` is then
   * tried only at those offsets, found by one scan shared by all such detectors.
   */
  readonly startsAt?: StartKind;
  /** With `startsAt`: what a candidate needs at its start (the length of its first digit run...). */
  readonly startTest?: StartTest;
}

function* candidates(
  text: string,
  spec: PatternDetectorSpec,
  atStarts: RegExp | undefined,
): Generator<RegExpMatchArray & { index: number }> {
  if (spec.startsAt && atStarts) {
    const starts = spec.startTest
      ? startsWhere(text, spec.startsAt, spec.startTest)
      : valueStarts(text)[spec.startsAt];
    yield* matchesAt(text, atStarts, starts);
    return;
  }
  if (!spec.anchor) {
    yield* text.matchAll(spec.candidate);
    return;
  }
  const sticky = spec.candidate;
  let after = 0;
  for (const hit of text.matchAll(spec.anchor)) {
    if (hit.index < after) continue;
    sticky.lastIndex = hit.index;
    const m = sticky.exec(text);
    if (!m) continue;
    after = m.index + m[0].length;
    yield m;
  }
}

// The hotwords of every detector that requires one (the built-ins, made once at module load). Most
// text has none of them: one pass over the text for all of them then spares each detector its own pass.
const requiredHotwords: RegExp[] = [];
let anyRequiredHotword: RegExp | undefined;
let lastText: string | undefined;
let lastHasAny = false;

/** True when `hotwords` (one of requiredHotwords) matches `text`, as `hotwords.test(text)`. */
function hasRequiredHotword(text: string, hotwords: RegExp): boolean {
  if (lastText !== text) {
    anyRequiredHotword ??= anyOfWords(requiredHotwords);
    lastHasAny = anyRequiredHotword.test(text);
    lastText = text;
  }
  return lastHasAny && hotwords.test(text);
}

/** The detector a spec describes: candidates, validation, then the shared context rules. */
export function patternDetector(spec: PatternDetectorSpec): Detector {
  const atStarts = spec.startsAt ? stickyCopy(spec.candidate) : undefined;
  if (spec.requireHotword && spec.context) {
    requiredHotwords.push(spec.context.hotwords);
    anyRequiredHotword = undefined;
  }
  return {
    ids: [spec.id],
    find(text) {
      const found: Detection[] = [];
      const required = spec.requireHotword ? spec.context : undefined;
      // One pass over the text: without any of the hotwords anywhere, nothing can be reported.
      if (required && !hasRequiredHotword(text, required.hotwords)) return found;
      if (spec.mayContain && !spec.mayContain(text)) return found;
      for (const m of candidates(text, spec, atStarts)) {
        const value = spec.valueIn?.(m) ?? m.groups?.value ?? m[0];
        const start = m.index + (value === m[0] ? 0 : m[0].lastIndexOf(value));
        const end = start + value.length;
        if (required && !hasHotword(text, start, end, required)) continue;
        if (spec.isValid && !spec.isValid(value, m)) continue;
        const base = typeof spec.base === 'function' ? spec.base(value) : spec.base;
        const likelihood = spec.context ? adjustForContext(text, start, end, base, spec.context) : base;
        if (likelihood) found.push({ detector: spec.id, value, start, end, likelihood });
      }
      return found;
    },
  };
}
