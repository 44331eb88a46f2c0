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

/**
 * The scan of one text: every start, and the starts again by the length of their run of digits
 * (0: a capital), each list ascending. Typed arrays: a table of numbers has a start every ten
 * characters, and growing plain arrays for them cost as much as the walk itself.
 */
interface ScannedStarts {
  /** Offsets of every start, ascending. */
  readonly at: Int32Array;
  /** The length of the run of ASCII digits at each of `at` (0 at a capital). */
  readonly digits: Int32Array;
  /** The starts sorted by the length of their digit run (lengths over MAX_BUCKETED last), then by offset. */
  readonly byLength: Int32Array;
  /** Where the starts of each length begin in `byLength`: length l is `[first[l], first[l + 1])`. */
  readonly first: Int32Array;
  /** The capital starts sorted by their shape (shapeKey), then by offset. */
  readonly byShape: Int32Array;
  /** Where the capital starts of each shape key begin in `byShape`, as `first`. */
  readonly firstShape: Int32Array;
}

/**
 * What a capital start's run opens with: how many capitals, and whether a digit follows them in the
 * run (`AB12` is 2 and true, `QQ 12` 2 and false). The capital-led candidates want few shapes (an
 * IBAN two capitals then digits), and most capital starts in prose open a word (`The`: 1, false).
 */
export interface CapitalShape {
  readonly capitals: number;
  readonly digitAfter: boolean;
}

// Runs opening with more capitals share the last shape: no detector asks for them.
const MAX_SHAPE_CAPITALS = 12;
const SHAPE_KEYS = MAX_SHAPE_CAPITALS * 2;

function shapeKey(capitals: number, digitAfter: boolean): number {
  return (Math.min(capitals, MAX_SHAPE_CAPITALS) - 1) * 2 + (digitAfter ? 1 : 0);
}

// Longer digit runs share the last list: no detector asks for them by length.
const MAX_BUCKETED = 32;
const LONGER = MAX_BUCKETED + 1;

// The detectors of one inspection run one after another over the same text: the last scan is kept.
let lastText: string | undefined;
let lastStarts: ScannedStarts | undefined;

/** The offsets of `text` where a run of `[0-9A-Z]` begins that no ASCII letter or digit precedes. */
export function valueStarts(text: string): ValueStarts {
  const { at, digits } = scan(text);
  const starts: Record<StartKind, number[]> = { digit: [], upper: [], any: [] };
  for (let i = 0; i < at.length; i++) {
    starts.any.push(at[i]!);
    starts[digits[i]! > 0 ? 'digit' : 'upper'].push(at[i]!);
  }
  return starts;
}

/**
 * One walk over the character codes: a global regex for the runs made a match array and a string per
 * run, which in a table of numbers cost more than all the detectors' regexes at those starts.
 */
function scan(text: string): ScannedStarts {
  if (lastStarts && lastText === text) {
    lastText = text; // the same characters in another string: compare by reference from now on
    return lastStarts;
  }
  const n = text.length;
  const capacity = (n >> 1) + 1; // a start needs a character before it that is not in a run
  const at = new Int32Array(capacity);
  const digits = new Int32Array(capacity);
  const shapes = new Int32Array(capacity); // shapeKey at a capital start
  let count = 0;
  let before = 0; // the code of the character before `start` (0 at the start of the text)
  for (let start = 0; start < n;) {
    const c = text.charCodeAt(start);
    if (!isDigitCode(c) && !isCapitalCode(c)) {
      before = c;
      start++;
      continue;
    }
    let end = start;
    while (end < n && isDigitCode(text.charCodeAt(end))) end++;
    const runDigits = end - start;
    while (end < n && isCapitalCode(text.charCodeAt(end))) end++;
    const capitals = runDigits === 0 ? end - start : 0;
    const digitAfter = end < n && isDigitCode(text.charCodeAt(end));
    while (end < n && (isDigitCode(text.charCodeAt(end)) || isCapitalCode(text.charCodeAt(end)))) end++;
    if (before < 97 || before > 122) {
      // not after a lower-case letter, inside a word
      at[count] = start;
      digits[count] = runDigits;
      if (capitals > 0) shapes[count] = shapeKey(capitals, digitAfter);
      count++;
    }
    before = text.charCodeAt(end - 1);
    start = end;
  }
  lastText = text;
  const starts = at.subarray(0, count);
  const runDigits = digits.subarray(0, count);
  const [byLength, first] = countingSort(starts, (i) => Math.min(runDigits[i]!, LONGER), LONGER + 1);
  const capitalStarts = starts.filter((_, i) => runDigits[i] === 0);
  const capitalShapes = shapes.subarray(0, count).filter((_, i) => runDigits[i] === 0);
  const [byShape, firstShape] = countingSort(capitalStarts, (i) => capitalShapes[i]!, SHAPE_KEYS);
  lastStarts = { at: starts, digits: runDigits, byLength, first, byShape, firstShape };
  return lastStarts;
}

/**
 * `starts` sorted by `keyOf` their index (0 to keys - 1), offsets ascending within a key (a counting
 * sort), and where each key's starts begin: key k is `[first[k], first[k + 1])`.
 */
function countingSort(
  starts: Int32Array,
  keyOf: (i: number) => number,
  keys: number,
): [sorted: Int32Array, first: Int32Array] {
  const first = new Int32Array(keys + 1);
  for (let i = 0; i < starts.length; i++) first[keyOf(i) + 1]!++;
  for (let k = 1; k < first.length; k++) first[k]! += first[k - 1]!;
  const next = first.slice();
  const sorted = new Int32Array(starts.length);
  for (let i = 0; i < starts.length; i++) sorted[next[keyOf(i)]!++] = starts[i]!;
  return [sorted, first];
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isCapitalCode(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** Every start (ascending) and the length of the run of ASCII digits at each (0 at a capital). */
export interface ScannedRuns {
  readonly at: ArrayLike<number>;
  readonly digits: ArrayLike<number>;
}

/**
 * The scan's starts as they are, for a detector that walks them all with its own test: a test
 * passed to startsWhere is called through a call site every detector shares, which V8 cannot inline.
 */
export function scannedRuns(text: string): ScannedRuns {
  return scan(text);
}

/**
 * A test a candidate needs at its start, cheaper than the regex: `digits` is the length of the run of
 * ASCII digits at `at` (0 at a capital).
 */
export type StartTest = (digits: number, text: string, at: number) => boolean;

/**
 * The starts of one kind in `text` that pass `accept`, ascending. With `lengths`, only the digit
 * starts whose run of digits has one of those lengths are tried; with `shapes`, only the capital
 * starts of those shapes (all capital starts are without): a table of numbers has tens of thousands
 * of starts, and each detector wants few lengths and shapes, so those are read from the scan's lists
 * by length and shape instead of testing every start. Both only spare tests: `accept` decides.
 */
export function startsWhere(
  text: string,
  kind: StartKind,
  accept: StartTest,
  lengths?: readonly number[],
  shapes?: readonly CapitalShape[],
): number[] {
  const scanned = scan(text);
  // Lists of many lengths holding most starts are merged more slowly than every start is tested.
  const everyStart =
    !lengths || !isBucketed(lengths) || countStarts(text, kind, lengths, shapes) > scanned.at.length / 4;
  if (kind !== 'upper' && everyStart) return everyStartWhere(text, scanned, kind, accept, lengths);
  const parts: number[][] = [];
  const add = (part: number[]) => part.length > 0 && parts.push(part);
  if (kind !== 'digit') {
    if (!shapes || !isShaped(shapes)) add(passing(text, scanned, 0, accept));
    else for (const key of distinctKeys(shapes)) add(passingShape(text, scanned, key, accept));
  }
  if (kind === 'upper' || !lengths) return mergeAll(parts);
  for (let i = 0; i < lengths.length; i++) {
    if (lengths.indexOf(lengths[i]!) === i) add(passing(text, scanned, lengths[i]!, accept)); // each length once
  }
  return mergeAll(parts);
}

/**
 * How many starts of `kind` whose digit runs have one of `lengths` and whose capitals one of `shapes`
 * (all without), before any test.
 */
export function countStarts(
  text: string,
  kind: StartKind,
  lengths?: readonly number[],
  shapes?: readonly CapitalShape[],
): number {
  const scanned = scan(text);
  const allCapitals = ofLength(scanned, 0);
  let capitals = allCapitals;
  if (shapes && isShaped(shapes)) {
    capitals = 0;
    for (const key of distinctKeys(shapes))
      capitals += scanned.firstShape[key + 1]! - scanned.firstShape[key]!;
  }
  if (kind === 'upper') return capitals;
  const digitStarts = scanned.at.length - allCapitals;
  let count = kind === 'any' ? capitals : 0;
  if (!lengths || !isBucketed(lengths)) return count + digitStarts;
  for (let i = 0; i < lengths.length; i++) {
    if (lengths.indexOf(lengths[i]!) === i) count += ofLength(scanned, lengths[i]!); // each length once
  }
  return count;
}

/** How many starts have a digit run of `length` (0: capitals). */
function ofLength(scanned: ScannedStarts, length: number): number {
  return scanned.first[length + 1]! - scanned.first[length]!;
}

function isBucketed(lengths: readonly number[]): boolean {
  return lengths.every((l) => Number.isInteger(l) && l >= 1 && l <= MAX_BUCKETED);
}

function isShaped(shapes: readonly CapitalShape[]): boolean {
  return shapes.every(
    (s) => Number.isInteger(s.capitals) && s.capitals >= 1 && s.capitals < MAX_SHAPE_CAPITALS,
  );
}

function distinctKeys(shapes: readonly CapitalShape[]): number[] {
  return [...new Set(shapes.map((s) => shapeKey(s.capitals, s.digitAfter)))];
}

/** The starts whose digit run has `length` digits (0: capitals) that pass `accept`. */
function passing(text: string, scanned: ScannedStarts, length: number, accept: StartTest): number[] {
  const { byLength, first } = scanned;
  const kept: number[] = [];
  for (let i = first[length]!; i < first[length + 1]!; i++) {
    if (accept(length, text, byLength[i]!)) kept.push(byLength[i]!);
  }
  return kept;
}

/** The capital starts of shape `key` that pass `accept`. */
function passingShape(text: string, scanned: ScannedStarts, key: number, accept: StartTest): number[] {
  const { byShape, firstShape } = scanned;
  const kept: number[] = [];
  for (let i = firstShape[key]!; i < firstShape[key + 1]!; i++) {
    if (accept(0, text, byShape[i]!)) kept.push(byShape[i]!);
  }
  return kept;
}

/** Ascending lists of distinct offsets merged into one, ascending. */
function mergeAll(parts: readonly number[][]): number[] {
  if (parts.length <= 2) return parts.length === 2 ? mergeStarts(parts[0]!, parts[1]!) : (parts[0] ?? []);
  const all = new Int32Array(parts.reduce((sum, p) => sum + p.length, 0));
  let filled = 0;
  for (const part of parts) for (const at of part) all[filled++] = at;
  all.sort();
  const merged = new Array<number>(all.length);
  for (let i = 0; i < all.length; i++) merged[i] = all[i]!;
  return merged;
}

/** startsWhere by testing every start of the kind, for lengths not listed apart. */
function everyStartWhere(
  text: string,
  scanned: ScannedStarts,
  kind: StartKind,
  accept: StartTest,
  lengths?: readonly number[],
): number[] {
  const { at, digits } = scanned;
  const kept: number[] = [];
  if (!lengths) {
    for (let i = 0; i < at.length; i++) {
      const n = digits[i]!;
      if ((n > 0 || kind === 'any') && accept(n, text, at[i]!)) kept.push(at[i]!);
    }
    return kept;
  }
  const wanted = new Uint8Array(Math.max(...lengths, 0) + 2);
  for (const length of lengths) if (length >= 0 && Number.isInteger(length)) wanted[length] = 1;
  wanted[0] = kind === 'any' ? 1 : 0; // capitals
  for (let i = 0; i < at.length; i++) {
    const n = digits[i]!;
    if (n < wanted.length && wanted[n] === 1 && accept(n, text, at[i]!)) kept.push(at[i]!);
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
