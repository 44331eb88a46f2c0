import type { Detection } from '../detectors/detection';
import type { MaskingMode } from '../detectors/mask-sample';
import { collapseWhitespace } from '../detectors/collapse-whitespace';
import { maskValue } from '../detectors/mask-sample';
import type { TextSection } from '../extraction/text-budget';
import type { MaskedSample } from './policy-match';

const CONTEXT_CHARS = 32;

/** The text a file's detections were found in, for locating and quoting them. */
export interface InspectedText {
  readonly text: string;
  readonly sections: readonly TextSection[];
  /** Every detection in the text, by start. */
  readonly detections: readonly Detection[];
}

/** The sample of one detection: masked value, offset, section and masked context. */
export function sampleOf(d: Detection, mode: MaskingMode, inspected: InspectedText): MaskedSample {
  const section = sectionAt(inspected.sections, d.start);
  return {
    detector: d.detector,
    masked: maskValue(d.value, mode),
    likelihood: d.likelihood,
    offset: d.start,
    ...(section
      ? {
          section: {
            kind: section.kind,
            number: section.number,
            ...(section.name === undefined ? {} : { name: section.name }),
          },
        }
      : {}),
    context: contextOf(d, mode, inspected),
    ...(mode === 'none' ? { unmasked: true as const } : {}),
  };
}

function sectionAt(sections: readonly TextSection[], offset: number): TextSection | undefined {
  let found: TextSection | undefined;
  for (const s of sections) {
    if (s.start > offset) break;
    found = s;
  }
  return found;
}

/**
 * The line around a detection, cut to CONTEXT_CHARS either side, every detection inside masked: the
 * value itself as `mode` says, the others with last4 at least (only the sample's own value is ever
 * shown raw), and any other word holding a digit masked whole. A value crossing the edge of the
 * window is taken in whole.
 */
function contextOf(d: Detection, mode: MaskingMode, inspected: InspectedText): string {
  const { text, detections } = inspected;
  let from = Math.max(0, d.start - CONTEXT_CHARS);
  let to = Math.min(text.length, d.end + CONTEXT_CHARS);
  const lineStart = text.lastIndexOf('\n', d.start - 1) + 1;
  const lineEnd = text.indexOf('\n', d.end);
  from = Math.max(from, lineStart);
  if (lineEnd !== -1) to = Math.min(to, lineEnd);
  const inside = detectionsBetween(detections, from, to);
  for (const o of inside) {
    from = Math.min(from, o.start);
    to = Math.max(to, o.end);
  }
  let out = '';
  let at = from;
  for (const o of inside) {
    if (o.start < at) continue; // overlaps one already written (two detectors on one value)
    out += maskNumbers(text.slice(at, o.start));
    out += maskValue(o.value, o === d ? mode : mode === 'none' ? 'last4' : mode);
    at = o.end;
  }
  out += maskNumbers(text.slice(at, to));
  return collapseWhitespace(out);
}

/**
 * Words holding a digit, wholly masked: only the policy's detectors ran, so a card number next to the
 * SSN a policy counts was never detected, and must not leave in the context. Plain words (the labels
 * that tell a user what the value is) stay readable.
 */
function maskNumbers(text: string): string {
  // One pass over the runs of letters and digits (a pattern with the digit in its middle retried
  // every run from each of its letters, and a callback per word cost as much).
  let out = '';
  let copied = 0;
  let at = 0;
  while (at < text.length) {
    const width = wordCharWidth(text, at);
    if (width === 0) {
      at++;
      continue;
    }
    const start = at;
    let digit = false;
    for (let w = width; w > 0; w = wordCharWidth(text, at)) {
      if (!digit) digit = isDigitCodePoint(text, at);
      at += w;
    }
    if (digit) {
      out += text.slice(copied, start) + '*'.repeat(at - start);
      copied = at;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const WORD_CHAR = /^[\p{L}\p{N}]/u;
const DIGIT = /^\p{N}/u;

/** The UTF-16 length of the letter or digit at `at` (a surrogate pair is one), 0 for another character. */
function wordCharWidth(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c < 128) return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) ? 1 : 0;
  if (Number.isNaN(c)) return 0;
  const cp = text.codePointAt(at)!;
  return WORD_CHAR.test(String.fromCodePoint(cp)) ? (cp > 0xffff ? 2 : 1) : 0;
}

function isDigitCodePoint(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c < 128) return c >= 48 && c <= 57;
  return DIGIT.test(String.fromCodePoint(text.codePointAt(at)!));
}

const longestOf = new WeakMap<readonly Detection[], number>();

/** The length of the longest of `detections`, worked out once per list. */
function longest(detections: readonly Detection[]): number {
  let length = longestOf.get(detections);
  if (length === undefined) {
    length = detections.reduce((max, d) => Math.max(max, d.end - d.start), 0);
    longestOf.set(detections, length);
  }
  return length;
}

/** Detections overlapping [from, to), by binary search on their starts. */
function detectionsBetween(detections: readonly Detection[], from: number, to: number): Detection[] {
  let lo = 0;
  let hi = detections.length;
  // Detections are sorted by start: none that starts before `from` by more than the longest reaches it.
  const earliest = from - longest(detections);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (detections[mid]!.start < earliest) lo = mid + 1;
    else hi = mid;
  }
  const out: Detection[] = [];
  for (let i = lo; i < detections.length && detections[i]!.start < to; i++) {
    if (detections[i]!.end > from) out.push(detections[i]!);
  }
  return out;
}
