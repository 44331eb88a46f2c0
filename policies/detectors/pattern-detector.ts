import type { ContextRule } from './context-words';
import type { CapitalShape, StartKind, StartTest } from './candidate-scan';
import { countStarts, matchesAt, startsWhere, stickyCopy } from './candidate-scan';
import { adjustForContext, hasHotword, looseOf, mayHoldContextWords } from './context-words';
import type { Detection, Detector } from './detection';
import type { DetectorId } from './detector-id';
import type { Likelihood } from './likelihood';
import type { LiteralProbe } from './literal-hits';
import { lowerCased, startsNearLiterals } from './literal-hits';

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
   * Literals every candidate holds near its start (literal-hits.ts): `candidate` (made sticky) is
   * tried only near their hits instead of at every offset, where a global scan of a pattern that
   * opens with a lookbehind or with common letters is slow.
   */
  readonly anchors?: readonly LiteralProbe[];
  /** Like `anchors`, for starts a list of literals cannot give; `undefined` scans the whole text. */
  readonly startsNear?: (text: string) => readonly number[] | undefined;
  /**
   * Which runs of capitals and digits every candidate begins (candidate-scan.ts): `candidate` is then
   * tried only at those offsets, found by one scan shared by all such detectors.
   */
  readonly startsAt?: StartKind;
  /** With `startsAt`: what a candidate needs at its start (the length of its first digit run...). */
  readonly startTest?: StartTest;
  /** With `startsAt`: the only lengths of the run of digits a digit-led candidate opens with. */
  readonly digitLengths?: readonly number[];
  /** With `startsAt`: the only shapes a capital-led candidate opens with (candidate-scan.ts). */
  readonly capitalShapes?: readonly CapitalShape[];
}

const anyStart: StartTest = () => true;

/** Where the sticky candidate is tried, or undefined for a global scan of the text. */
function startsOf(text: string, spec: PatternDetectorSpec): readonly number[] | undefined {
  if (spec.startsAt) {
    return startsWhere(
      text,
      spec.startsAt,
      spec.startTest ?? anyStart,
      spec.digitLengths,
      spec.capitalShapes,
    );
  }
  return spec.anchors ? startsNearLiterals(text, spec.anchors) : spec.startsNear?.(text);
}

// Above this many candidates per character, one pass over the text for the required hotwords costs
// less than looking around each candidate, and spares all of them in a text without any.
const CANDIDATES_PER_CHAR_FOR_A_PASS = 1 / 256;

// How far around a candidate a whole hotword is looked for (a window reaches 48 before, 16 after).
const PROOF_REACH = 64;

/**
 * True when `hotwords` matches `text` somewhere, as `hotwords.test(text)`: first among the few lines
 * around a candidate whose window held one (a match there that does not lean on the cut edges is a
 * match of the text), else over the whole text. A required hotword counts only in a text that holds
 * one whole, not merely cut at a window's edge ("xpassport"), as when every text was searched first.
 */
function holdsHotword(text: string, start: number, end: number, hotwords: RegExp, all: RegExp): boolean {
  const from = Math.max(0, start - PROOF_REACH);
  const to = Math.min(text.length, end + PROOF_REACH);
  const region = text.slice(from, to);
  all.lastIndex = 0;
  for (let m = all.exec(region); m; m = all.exec(region)) {
    const leansOnStart = m.index === 0 && from > 0 && /[a-z0-9]/i.test(m[0][0] ?? '');
    const leansOnEnd = m.index + m[0].length === region.length && /[a-z]/i.test(text[to] ?? '');
    if (!leansOnStart && !leansOnEnd) return true;
    all.lastIndex = m.index + 1;
  }
  return hotwords.test(text);
}

/** The detector a spec describes: candidates, validation, then the shared context rules. */
export function patternDetector(spec: PatternDetectorSpec): Detector {
  const global = spec.candidate.global
    ? spec.candidate
    : new RegExp(spec.candidate.source, `${spec.candidate.flags}g`);
  const sticky = spec.startsAt || spec.anchors || spec.startsNear ? stickyCopy(global) : undefined;
  const required = spec.requireHotword ? spec.context : undefined;
  const letters = required ? looseOf(required.hotwords) : undefined;
  const allHotwords = required ? new RegExp(required.hotwords.source, 'gi') : undefined;
  return {
    ids: [spec.id],
    find(text) {
      const found: Detection[] = [];
      if (spec.mayContain && !spec.mayContain(text)) return found;
      if (required && !mayHoldContextWords(text)) return found; // no hotword can be near a value
      // Candidates from the shared scan are counted before they are listed and tested (the count is
      // at hand, the tests are not): a table of numbers without a hotword then lists none.
      let starts = spec.startsAt ? undefined : startsOf(text, spec);
      const candidates = spec.startsAt
        ? countStarts(text, spec.startsAt, spec.digitLengths, spec.capitalShapes)
        : (starts?.length ?? Infinity);
      // Many candidates: one look at the whole text first, for a hotword's letters anywhere.
      if (letters && candidates > text.length * CANDIDATES_PER_CHAR_FOR_A_PASS) {
        const lower = lowerCased(text);
        if (lower !== undefined && !letters.test(lower)) return found;
      }
      starts ??= startsOf(text, spec);
      const matches = starts && sticky ? matchesAt(text, sticky, starts) : text.matchAll(global);
      let proven = false;
      for (const m of matches) {
        const value = spec.valueIn?.(m) ?? m.groups?.value ?? m[0];
        const start = m.index + (value === m[0] ? 0 : m[0].lastIndexOf(value));
        const end = start + value.length;
        if (required) {
          if (!hasHotword(text, start, end, required)) continue;
          if (!proven && !holdsHotword(text, start, end, required.hotwords, allHotwords!)) return found;
          proven = true;
        }
        if (spec.isValid && !spec.isValid(value, m)) continue;
        const base = typeof spec.base === 'function' ? spec.base(value) : spec.base;
        const likelihood = spec.context ? adjustForContext(text, start, end, base, spec.context) : base;
        if (likelihood) found.push({ detector: spec.id, value, start, end, likelihood });
      }
      return found;
    },
  };
}
