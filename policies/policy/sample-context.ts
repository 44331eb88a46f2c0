import type { Detection } from '../detectors/detection';
import type { MaskingMode } from '../detectors/mask-sample';
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
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * Words holding a digit, wholly masked: only the policy's detectors ran, so a card number next to the
 * SSN a policy counts was never detected, and must not leave in the context. Plain words (the labels
 * that tell a user what the value is) stay readable.
 */
function maskNumbers(text: string): string {
  return text.replace(/[\p{L}\p{N}]*\p{N}[\p{L}\p{N}]*/gu, (word) => '*'.repeat(word.length));
}

/** Detections overlapping [from, to), by binary search on their starts. */
function detectionsBetween(detections: readonly Detection[], from: number, to: number): Detection[] {
  let lo = 0;
  let hi = detections.length;
  // Detections are sorted by start; none is longer than a PEM key, so look back that far.
  const earliest = from - 12_000;
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
