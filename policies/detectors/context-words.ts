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
  const before = text.slice(Math.max(0, start - BEFORE), start).toLowerCase();
  const hotWindow = hotWindowOf(text, before, end);
  const ownLabel = before.slice(-NEGATIVE_BEFORE);
  const negativeWindow = ownLabel.slice(Math.max(ownLabel.lastIndexOf('\t'), ownLabel.lastIndexOf('\n')) + 1);
  let steps = 0;
  if (rule.hotwords.test(hotWindow)) steps++;
  if (rule.negativeWords?.test(negativeWindow)) steps--;
  return stepLikelihood(base, steps);
}

/** True when one of the rule's hotwords is where a label of `[start, end)` can be (see adjustForContext). */
export function hasHotword(text: string, start: number, end: number, rule: ContextRule): boolean {
  const before = text.slice(Math.max(0, start - BEFORE), start).toLowerCase();
  return rule.hotwords.test(hotWindowOf(text, before, end));
}

function hotWindowOf(text: string, before: string, end: number): string {
  const after = text.slice(end, Math.min(text.length, end + AFTER)).toLowerCase();
  return `${ownAndPreviousCell(before)} ${after.split('\t', 1)[0]}`;
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
const unanchored = new WeakMap<RegExp, RegExp>();

/**
 * True when `words` (a {@link wordsPattern}) matches anywhere in `text`, as `words.test(text)`. Its
 * leading `(?:^|[^a-z0-9])` makes V8 try every offset of a long text; the words alone open with
 * literals it can skip to, and the boundary is then checked at each hit.
 */
export function mentions(text: string, words: RegExp): boolean {
  if (!words.source.startsWith(WORD_START) || words.flags !== 'i') return words.test(text);
  let scan = unanchored.get(words);
  if (!scan) {
    scan = new RegExp(words.source.slice(WORD_START.length), 'gi');
    unanchored.set(words, scan);
  }
  scan.lastIndex = 0;
  for (let m = scan.exec(text); m; m = scan.exec(text)) {
    const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 0;
    const lower = before | 0x20; // an ASCII capital as its small letter; digits keep their code
    if (!((lower >= 97 && lower <= 122) || (before >= 48 && before <= 57))) return true;
    scan.lastIndex = m.index + 1; // a later word may begin inside this hit
  }
  return false;
}

/** Builds a case-insensitive word regex from a list of words or phrases. */
export function wordsPattern(words: readonly string[]): RegExp {
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s_-]?'));
  return new RegExp(`(?:^|[^a-z0-9])(?:${escaped.join('|')})(?![a-z])`, 'i');
}
