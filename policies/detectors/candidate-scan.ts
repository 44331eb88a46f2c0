/**
 * One shared pass that finds where a value can begin, so the number- and code-shaped detectors try
 * their candidate regexes only there instead of each scanning the whole text. Their regexes open with
 * a lookbehind (boundaries.ts), which V8 must evaluate at every offset of a global scan: about ten
 * such scans cost more than all the validators together. Every value those regexes match begins with
 * an ASCII digit or capital letter that no ASCII letter or digit precedes, so it begins a run of
 * `[0-9A-Z]`: one fast scan for those runs, shared by every detector on the same text, lists all the
 * offsets a match can start at.
 */

/** Where runs of ASCII digits and capitals begin, by their first character. */
export interface ValueStarts {
  /** Offsets of runs that open with a digit, ascending. */
  readonly digit: readonly number[];
  /** Offsets of runs that open with a capital letter, ascending. */
  readonly upper: readonly number[];
  /** Both, ascending. */
  readonly any: readonly number[];
}

/** The kinds of start a detector asks for. */
export type StartKind = keyof ValueStarts;

interface ScannedStarts extends ValueStarts {
  /** Per kind, the length of the run of ASCII digits at each start (0 at a capital). */
  readonly digits: Readonly<Record<StartKind, readonly number[]>>;
}

const RUN = /[0-9A-Z]+/g;

// The detectors of one inspection run one after another over the same text: the last scan is kept.
let lastText: string | undefined;
let lastStarts: ScannedStarts | undefined;

/** The offsets of `text` where a run of `[0-9A-Z]` begins that no ASCII letter or digit precedes. */
export function valueStarts(text: string): ValueStarts {
  return scan(text);
}

function scan(text: string): ScannedStarts {
  if (lastStarts && lastText === text) {
    lastText = text; // the same characters in another string: compare by reference from now on
    return lastStarts;
  }
  const digit: number[] = [];
  const upper: number[] = [];
  const any: number[] = [];
  const digitDigits: number[] = [];
  const upperDigits: number[] = [];
  const anyDigits: number[] = [];
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m; m = RUN.exec(text)) {
    const at = m.index;
    const before = at > 0 ? text.charCodeAt(at - 1) : 0;
    if (before >= 97 && before <= 122) continue; // a lower-case letter: the run is inside a word
    const run = m[0];
    let digits = 0;
    while (digits < run.length && run.charCodeAt(digits) <= 57) digits++;
    any.push(at);
    anyDigits.push(digits);
    if (digits > 0) {
      digit.push(at);
      digitDigits.push(digits);
    } else {
      upper.push(at);
      upperDigits.push(0);
    }
  }
  lastText = text;
  lastStarts = {
    digit,
    upper,
    any,
    digits: { digit: digitDigits, upper: upperDigits, any: anyDigits },
  };
  return lastStarts;
}

/**
 * A test a candidate needs at its start, cheaper than the regex: `digits` is the length of the run of
 * ASCII digits at `at` (0 at a capital).
 */
export type StartTest = (digits: number, text: string, at: number) => boolean;

/**
 * The starts of one kind in `text` that pass `accept`, ascending. With `lengths`, only the digit
 * starts whose run of digits has one of those lengths are tried (capital starts all are): a table of
 * numbers has tens of thousands of starts, and each detector wants few lengths.
 */
export function startsWhere(
  text: string,
  kind: StartKind,
  accept: StartTest,
  lengths?: readonly number[],
): number[] {
  const scanned = scan(text);
  const starts = scanned[kind];
  const digits = scanned.digits[kind];
  const kept: number[] = [];
  if (!lengths) {
    for (let i = 0; i < starts.length; i++) if (accept(digits[i]!, text, starts[i]!)) kept.push(starts[i]!);
    return kept;
  }
  const wanted = new Uint8Array(Math.max(...lengths, 0) + 2);
  for (const length of lengths) wanted[length] = 1;
  wanted[0] = 1; // capitals
  for (let i = 0; i < starts.length; i++) {
    const n = digits[i]!;
    if (n < wanted.length && wanted[n] === 1 && accept(n, text, starts[i]!)) kept.push(starts[i]!);
  }
  return kept;
}

/** True when the character at `at` is an ASCII digit. */
export function isDigitAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
}

/** True when the character at `at` is an ASCII capital. */
export function isCapitalAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 65 && c <= 90;
}

/** The length of the run of ASCII digits and capitals at `at`. */
export function runLength(text: string, at: number): number {
  let end = at;
  while (isDigitAt(text, end) || isCapitalAt(text, end)) end++;
  return end - at;
}

/** A sticky copy of a global candidate regex, to be tried at given offsets. */
export function stickyCopy(candidate: RegExp): RegExp {
  return new RegExp(candidate.source, `${candidate.flags.replace('g', '')}y`);
}

/**
 * The matches of `sticky` that begin at one of `starts` (ascending), in text order and without
 * overlap, as a global scan of the same regex would find them, provided no match of it can begin
 * anywhere else.
 */
export function matchesAt(text: string, sticky: RegExp, starts: readonly number[]): RegExpExecArray[] {
  const matches: RegExpExecArray[] = [];
  let after = 0;
  for (const at of starts) {
    if (at < after) continue;
    sticky.lastIndex = at;
    const m = sticky.exec(text);
    if (!m) continue;
    after = m.index + Math.max(m[0].length, 1);
    matches.push(m);
  }
  return matches;
}

/** `a` and `b` (each ascending) merged, ascending. */
export function mergeStarts(a: readonly number[], b: readonly number[]): number[] {
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) merged.push(a[i++]!);
    else merged.push(b[j++]!);
  }
  return merged;
}
