/**
 * Where literals occur in a text, found with `indexOf` of one character each: V8 searches a single
 * character as fast as memory can be read, while a regex alternation of words, or `indexOf` of a word
 * that opens with a common letter, stops at almost every letter. A literal with a rare character
 * (RARITY) is looked up by it, whose offsets are listed once per text and shared by every detector,
 * and confirmed with `startsWith`; a literal of common letters only by `indexOf` of itself.
 * Case-insensitive literals are looked up in the lower-cased text.
 */

// Rarest first: symbols, then capitals and lower-case letters by their frequency in English text,
// then digits (tables are full of them), then the punctuation of prose.
const RARITY =
  '_@#$%^&|~`{}[]<>\\!?*=+/;QZXJKVWYBFGHUPMDLCNRISOTAEqjzxkvbpgwyfmculdrhsnioate0123456789:"\'()-.,';
// Characters up to this rank are rare enough for the list of their offsets to be short.
const RARE = RARITY.indexOf('b');

let lastText: string | undefined;
let lastLower: string | undefined | null;
const offsetsOf = new Map<string, number[]>();
const hitsOf = new Map<string, number[]>();

function startText(text: string): void {
  const same = lastText === text;
  // The same characters in another string (a file inspected again) keep the lists; either way
  // later calls then compare by reference, not character by character.
  lastText = text;
  if (same) return;
  lastLower = null;
  offsetsOf.clear();
  hitsOf.clear();
}

/**
 * `text` lower-cased, one character for one (offsets are the same), or undefined when lower-casing
 * changes the length (a dotted capital I becomes two characters). Made once per text.
 */
export function lowerCased(text: string): string | undefined {
  startText(text);
  if (lastLower === null) {
    const lower = text.toLowerCase();
    lastLower = lower.length === text.length ? lower : undefined;
  }
  return lastLower;
}

/** The rank of a character in RARITY; another ASCII character (a space) is common, beyond ASCII rare. */
function rarity(ch: string): number {
  const rank = RARITY.indexOf(ch);
  if (rank !== -1) return rank;
  return ch.charCodeAt(0) < 128 ? RARITY.length : 0;
}

function keyOf(literal: string): number {
  let best = 0;
  for (let i = 1; i < literal.length; i++) if (rarity(literal[i]!) < rarity(literal[best]!)) best = i;
  return best;
}

function charOffsets(haystack: string, ch: string, lower: boolean): number[] {
  const key = `${lower ? 'l' : 't'}${ch}`;
  let offsets = offsetsOf.get(key);
  if (!offsets) {
    offsets = [];
    for (let at = haystack.indexOf(ch); at !== -1; at = haystack.indexOf(ch, at + 1)) offsets.push(at);
    offsetsOf.set(key, offsets);
  }
  return offsets;
}

/**
 * The offsets where `literal` occurs in `text`, ascending (overlapping occurrences too); with
 * `ignoreCase` (then `literal` is lower-case) in the lower-cased text. `by` is the character of
 * `literal` to look it up by (default: its rarest), so that literals share one list of offsets. `undefined` when the
 * lower-cased text is not one character for one: the caller then scans as it would without hits.
 */
export function literalHits(
  text: string,
  literal: string,
  ignoreCase = false,
  by?: string,
): number[] | undefined {
  startText(text);
  const haystack = ignoreCase ? lowerCased(text) : text;
  if (haystack === undefined) return undefined;
  const cacheKey = `${ignoreCase ? 'l' : 't'}${literal}`;
  const cached = hitsOf.get(cacheKey);
  if (cached) return cached;
  const k = by === undefined ? keyOf(literal) : literal.indexOf(by);
  const hits: number[] = [];
  if (rarity(literal[k]!) > RARE) {
    for (let at = haystack.indexOf(literal); at !== -1; at = haystack.indexOf(literal, at + 1)) hits.push(at);
  } else {
    const first = literal.charCodeAt(0);
    for (const at of charOffsets(haystack, literal[k]!, ignoreCase)) {
      const start = at - k;
      if (start >= 0 && haystack.charCodeAt(start) === first && haystack.startsWith(literal, start)) {
        hits.push(start);
      }
    }
  }
  hitsOf.set(cacheKey, hits);
  return hits;
}

/**
 * A literal every match of a pattern holds, at most `back` characters after the match begins, or at
 * one of the distances `back` lists.
 */
export interface LiteralProbe {
  readonly literal: string;
  /** Matched in the lower-cased text; `literal` is then lower-case. */
  readonly ignoreCase?: boolean;
  readonly back: number | readonly number[];
  /** The character to look the literal up by (see literalHits). */
  readonly by?: string;
}

/**
 * Every offset where a match of a pattern whose matches each hold one of `probes` can begin,
 * ascending, or undefined when the hits cannot be known (see literalHits).
 */
export function startsNearLiterals(text: string, probes: readonly LiteralProbe[]): number[] | undefined {
  // Each probe's offsets ascend but where hits lie closer than its distances: each list is sorted
  // only then, and the lists are merged, which costs less than sorting them all together.
  let starts: number[] = [];
  for (const probe of probes) {
    const hits = literalHits(text, probe.literal, probe.ignoreCase, probe.by);
    if (!hits) return undefined;
    if (hits.length === 0) continue;
    const near = offsetsNear(hits, probe.back);
    starts = starts.length === 0 ? near : mergeDistinct(starts, near);
  }
  return starts;
}

// Distances longest first, so that the offsets of one hit ascend.
const descending = new WeakMap<readonly number[], readonly number[]>();

/** The offsets `back` allows before each of `hits` (ascending), ascending and distinct. */
function offsetsNear(hits: readonly number[], back: number | readonly number[]): number[] {
  const near: number[] = [];
  if (typeof back === 'number') {
    let next = 0; // hits ascend: each offset once
    for (const hit of hits) {
      for (let s = Math.max(next, hit - back); s <= hit; s++) near.push(s);
      next = hit + 1;
    }
    return near;
  }
  let distances = descending.get(back);
  if (!distances) descending.set(back, (distances = [...back].sort((a, b) => b - a)));
  let ascending = true;
  for (const hit of hits) {
    for (const distance of distances) {
      if (hit < distance) continue;
      const at = hit - distance;
      if (near.length > 0 && at <= near[near.length - 1]!) {
        if (at === near[near.length - 1]) continue;
        ascending = false;
      }
      near.push(at);
    }
  }
  if (ascending) return near;
  const sorted = new Float64Array(near).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  return distinct;
}

/** `a` and `b` (each ascending and distinct) merged, ascending and distinct. */
function mergeDistinct(a: readonly number[], b: readonly number[]): number[] {
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x <= y) {
      merged.push(x);
      i++;
      if (x === y) j++;
    } else {
      merged.push(y);
      j++;
    }
  }
  while (i < a.length) merged.push(a[i++]!);
  while (j < b.length) merged.push(b[j++]!);
  return merged;
}
