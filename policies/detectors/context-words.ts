import type { Likelihood } from './likelihood';
import { stepLikelihood } from './likelihood';
import { lowerCased } from './literal-hits';

/** Words near a match that make it more (hotwords) or less (negative words) likely, as regexes. */
export interface ContextRule {
  readonly hotwords: RegExp;
  readonly negativeWords?: RegExp;
}

// Like Presidio's context window: a label usually precedes its value ("SSN: ...") within a few words.
const BEFORE = 48;
const AFTER = 16;
// A negative word must be the value's own label ("Order 4716..."), not a word of the line above.
const NEGATIVE_BEFORE = 32;

/**
 * The likelihood of a match after looking at the words around it: one step up for a hotword, one
 * step down for a negative word (both cancel out). `undefined` means "drop it". Hotwords may sit on
 * the line above (a form label) or in the cell just before (a two-column sheet), but not in another
 * cell (tab); negative words only in the value's
 * own cell or line, just before it, so a spreadsheet's "Phone" column does not lower its "SSN" column.
 */
export function adjustForContext(
  text: string,
  start: number,
  end: number,
  base: Likelihood,
  rule: ContextRule,
): Likelihood | undefined {
  const windows = windowsAround(text, start, end);
  if (!windows) return stepLikelihood(base, 0);
  let steps = 0;
  if (hotwordIn(windows, rule.hotwords)) steps++;
  if (rule.negativeWords && negativeTester.of(rule.negativeWords).test(windows.negative)) steps--;
  return stepLikelihood(base, steps);
}

/** True when one of the rule's hotwords is where a label of `[start, end)` can be (see adjustForContext). */
export function hasHotword(text: string, start: number, end: number, rule: ContextRule): boolean {
  const windows = windowsAround(text, start, end);
  return windows !== undefined && hotwordIn(windows, rule.hotwords);
}

/**
 * Where a value's hotwords and negative words are looked for, lower-cased (see adjustForContext),
 * with the verdict of the last hotwords tested on them: a detector that requires a hotword tests
 * for it, then adjusts the likelihood by the same words.
 */
interface ContextWindows {
  readonly hot: string;
  readonly negative: string;
  lastHotwords?: RegExp;
  lastHotwordFound?: boolean;
}

function hotwordIn(windows: ContextWindows, hotwords: RegExp): boolean {
  if (windows.lastHotwords !== hotwords) {
    windows.lastHotwordFound = hotTester.of(hotwords).test(windows.hot);
    windows.lastHotwords = hotwords;
  }
  return windows.lastHotwordFound === true;
}

const testers = new WeakMap<RegExp, RegExp>();

/**
 * The tester of the words last asked for, kept apart from the WeakMap: a detector asks for its own
 * rule's words value after value, and a WeakMap look-up costs more than the test of a short window.
 */
class LastTester {
  private words: RegExp | undefined;
  private tester: RegExp | undefined;

  of(words: RegExp): RegExp {
    if (words !== this.words) {
      this.tester = windowTester(words);
      this.words = words;
    }
    return this.tester!;
  }
}

const hotTester = new LastTester();
const negativeTester = new LastTester();

/**
 * `words` for testing a window, which is lower-cased: a word regex (wordsPattern) of lower-case ASCII
 * is rebuilt without the `i` flag and with its opening boundary as a lookbehind, which V8 tests in
 * about half the time, with the same verdict on lower-case text. Any other regex is used as it is.
 */
export function windowTester(words: RegExp): RegExp {
  let tester = testers.get(words);
  if (!tester) {
    const source = words.source;
    const inner = source.slice(WORD_START.length + 3, -(WORD_END.length + 1));
    const lowerAscii = !/[A-Z\u0080-\uffff]/.test(inner); // no capital, nothing beyond ASCII
    tester =
      words.flags === 'i' &&
      source.startsWith(`${WORD_START}(?:`) &&
      source.endsWith(`)${WORD_END}`) &&
      lowerAscii
        ? new RegExp(`(?<![a-z0-9])(?:${inner})${WORD_END}`)
        : words;
    testers.set(words, tester);
  }
  return tester;
}

// The number- and code-shaped detectors look at the same values (a nine-digit run is an SSN, ABA,
// passport, bank account and phone candidate), and a detector that requires a hotword looks twice:
// the windows of a text's values are cut once, by start and length. Longer values are not kept.
const CACHED_LENGTHS = 64; // keys stay small integers, which a Map hashes fastest
let cachedText: string | undefined;
const cachedWindows = new Map<number, ContextWindows>();

/**
 * Forgets the windows cut so far: an inspection starts with none, even of a text with the same
 * characters as the last (a file inspected again), so that only the detectors of one inspection share them.
 */
export function forgetContextWindows(): void {
  cachedText = undefined;
  cachedWindows.clear();
}

/** The context windows of `[start, end)`, or undefined when no letter is near it (none can match). */
function windowsAround(text: string, start: number, end: number): ContextWindows | undefined {
  // First, as cheap as a look-up: a table of numbers has many values and no letter near them.
  if (!hasLetterNear(text, start, end)) return undefined;
  // By reference once the text is adopted, as lowerSlice.
  if (text !== cachedText) cachedWindows.clear();
  cachedText = text;
  const key = end - start < CACHED_LENGTHS ? start * CACHED_LENGTHS + (end - start) : -1;
  let windows = key === -1 ? undefined : cachedWindows.get(key);
  if (windows === undefined) {
    windows = cutWindows(text, start, end);
    if (key !== -1) cachedWindows.set(key, windows);
  }
  return windows;
}

/**
 * The windows, cut by offsets from the text lower-cased once: only the two windows are made as
 * strings, where slicing the text before the value and searching the slices for cell breaks made
 * five (and `lastIndexOf` is a call into the runtime each).
 */
function cutWindows(text: string, start: number, end: number): ContextWindows {
  lowerSlice(text, 0, 0); // adopts the text
  const lower = windowsLower;
  if (lower === undefined) return cutWindowsFromSlices(text, start, end);
  const from = Math.max(0, start - BEFORE);
  const labelFrom = Math.max(from, start - NEGATIVE_BEFORE);
  // One walk back over the window before the value for its cell breaks: the last one (which ends
  // the negative window when within its reach), the last tab, whether a line break follows that tab
  // (the value opens a row), and the break before that tab.
  let labelBreak = -1;
  let lastTab = -1;
  let opensRow = false;
  let previousBreak = -1;
  for (let i = start - 1; i >= from; i--) {
    const c = lower.charCodeAt(i);
    if (c !== 9 && c !== 10) continue;
    if (labelBreak === -1 && i >= labelFrom) labelBreak = i;
    if (lastTab !== -1) {
      previousBreak = i;
      break;
    }
    if (c === 10) opensRow = true;
    else if (opensRow) {
      lastTab = i;
      break;
    } else lastTab = i;
  }
  let own: string;
  if (lastTab === -1) own = lower.slice(from, start);
  else if (opensRow) own = lower.slice(lastTab + 1, start);
  else {
    const cellBefore = lower.slice(previousBreak === -1 ? from : previousBreak + 1, lastTab);
    own = `${cellBefore} ${lower.slice(lastTab + 1, start)}`;
  }
  const afterEnd = Math.min(text.length, end + AFTER);
  let afterCut = end;
  while (afterCut < afterEnd && lower.charCodeAt(afterCut) !== 9) afterCut++;
  const after = lower.slice(end, afterCut);
  const negative = lower.slice(labelBreak === -1 ? labelFrom : labelBreak + 1, start);
  return { hot: `${own} ${after}`, negative };
}

/** As cutWindows, from slices of the text each lower-cased, for a text lower-casing changes the length of. */
function cutWindowsFromSlices(text: string, start: number, end: number): ContextWindows {
  const before = lowerSlice(text, Math.max(0, start - BEFORE), start);
  const ownLabel = before.slice(-NEGATIVE_BEFORE);
  return {
    hot: hotWindowOf(text, before, end),
    negative: ownLabel.slice(Math.max(ownLabel.lastIndexOf('\t'), ownLabel.lastIndexOf('\n')) + 1),
  };
}

const loose = new WeakMap<RegExp, RegExp>();

/**
 * For a word regex (wordsPattern), one that matches lower-cased text wherever a window could hold
 * one of its words: any single word of its phrases, boundaries aside. Windows are cut from the text
 * and joined by spaces, which no word holds, so a text it does not match has no window the word
 * regex matches: in a text with many candidates, one pass for it spares looking around each.
 */
export function looseOf(words: RegExp): RegExp {
  let found = loose.get(words);
  if (!found) {
    const source = words.source;
    if (!source.startsWith(`${WORD_START}(?:`) || !source.endsWith(`)${WORD_END}`)) {
      found = /(?:)/; // not a word regex: no cheap test, every region may match
    } else {
      const inner = source.slice(WORD_START.length + 3, -(WORD_END.length + 1));
      const parts = inner.split(/\||\[\\s_-\]\?/).filter((w) => w.length > 0);
      found = new RegExp([...new Set(parts)].join('|') || '(?!)');
    }
    loose.set(words, found);
  }
  return found;
}

/**
 * False when no character around `[start, end)` that a window can hold is an ASCII letter or beyond
 * ASCII (which may lower-case to one): every hotword and negative word has a letter, so none can
 * match. In a table of numbers this spares slicing and two regex tests per value.
 */
function hasLetterNear(text: string, start: number, end: number): boolean {
  if (!mayHoldContextWords(text)) return false;
  return hasLetterIn(text, Math.max(0, start - BEFORE), start) || hasLetterIn(text, end, end + AFTER);
}

let letteredText: string | undefined;
let lettered = true;

/**
 * False when `text` has no character a window could need (see hasLetterNear): no value in it has a
 * hotword or a negative word near. Found once per text: a table of numbers alone otherwise reads the
 * 64 characters around each of its values, for each detector.
 */
export function mayHoldContextWords(text: string): boolean {
  if (text !== letteredText) lettered = /[A-Za-z\u0080-\uffff]/.test(text);
  letteredText = text; // by reference from now on, as lowerSlice
  return lettered;
}

function hasLetterIn(text: string, from: number, to: number): boolean {
  const stop = Math.min(text.length, to);
  for (let i = from; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (((c | 32) >= 97 && (c | 32) <= 122) || c >= 128) return true;
  }
  return false;
}

/**
 * `text.slice(from, to).toLowerCase()`, cut from the text lower-cased once (literal-hits.ts) when it
 * keeps its length: the same characters but for a final sigma, which no word holds either way.
 */
function lowerSlice(text: string, from: number, to: number): string {
  // By reference once the text is adopted: the same characters in another string (a file inspected
  // again) compare character by character, once.
  if (text !== windowsText) windowsLower = lowerCased(text);
  windowsText = text;
  return windowsLower === undefined ? text.slice(from, to).toLowerCase() : windowsLower.slice(from, to);
}

let windowsText: string | undefined;
let windowsLower: string | undefined;

function hotWindowOf(text: string, before: string, end: number): string {
  const after = lowerSlice(text, end, Math.min(text.length, end + AFTER));
  const tab = after.indexOf('\t');
  return `${ownAndPreviousCell(before)} ${tab === -1 ? after : after.slice(0, tab)}`;
}

/**
 * The text before a value that may label it: all of it when there is no cell break, otherwise the
 * value's own cell and the cell just before it on the same row (`SSN<tab>587349021`), never a cell of
 * another column further left or on the row above.
 */
function ownAndPreviousCell(before: string): string {
  const lastTab = before.lastIndexOf('\t');
  if (lastTab === -1) return before;
  const ownCell = before.slice(lastTab + 1);
  if (ownCell.includes('\n')) return ownCell; // the value opens a row: the cell before is on the row above
  const previousBreak = Math.max(
    before.lastIndexOf('\t', lastTab - 1),
    before.lastIndexOf('\n', lastTab - 1),
  );
  return `${before.slice(previousBreak + 1, lastTab)} ${ownCell}`;
}

const WORD_START = '(?:^|[^a-z0-9])';
const WORD_END = '(?![a-z])';

/**
 * One regex that matches a text when any of `patterns` does, as their tests one after another. Word
 * patterns ({@link wordsPattern}) become one alternation behind one boundary, which V8 scans about
 * twice as fast as the patterns in turn.
 */
export function anyOfWords(patterns: readonly RegExp[]): RegExp {
  const words = patterns.every(
    (p) => p.flags === 'i' && p.source.startsWith(`${WORD_START}(?:`) && p.source.endsWith(`)${WORD_END}`),
  );
  if (!words) return new RegExp(patterns.map((p) => `(?:${p.source})`).join('|') || '(?!)', 'i');
  const inner = patterns.map((p) => p.source.slice(WORD_START.length + 3, -(WORD_END.length + 1)));
  return new RegExp(`${WORD_START}(?:${inner.join('|') || '(?!)'})${WORD_END}`, 'i');
}

/** Builds a case-insensitive word regex from a list of words or phrases. */
export function wordsPattern(words: readonly string[]): RegExp {
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s_-]?'));
  return new RegExp(`${WORD_START}(?:${escaped.join('|')})${WORD_END}`, 'i');
}
