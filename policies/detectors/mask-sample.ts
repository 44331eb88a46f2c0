import { collapseWhitespace } from './collapse-whitespace';

const VISIBLE = 4;
const MAX_LENGTH = 24;

/**
 * How a policy shows the values it found: `last4` keeps the last four letters and digits
 * (`***-**-6789`, the default), `full` masks them all (`***-**-****`), `none` shows the value itself
 * (only with the policy file's `allowUnmaskedSamples: true`; the findings store masks it anyway).
 */
export const MASKING_MODES = ['last4', 'full', 'none'] as const;

/** One of {@link MASKING_MODES}. */
export type MaskingMode = (typeof MASKING_MODES)[number];

/**
 * The only form of a sensitive value that leaves the library: letters and digits become `*` except
 * the last four, separators stay so the shape is recognisable (`***-**-6789`), long values keep
 * their tail only.
 */
export function maskSample(value: string): string {
  return maskValue(value, 'last4');
}

/** `value` masked as `mode` says (see {@link MASKING_MODES}); whitespace runs become one space. */
export function maskValue(value: string, mode: MaskingMode): string {
  const compact = collapseWhitespace(value);
  if (mode === 'none') return compact;
  let visible = mode === 'last4' ? VISIBLE : 0;
  let masked = '';
  // From the end, one character out per character in: past MAX_LENGTH only the tail is kept anyway.
  for (let i = compact.length - 1; i >= 0 && masked.length <= MAX_LENGTH; i--) {
    const ch = compact[i]!;
    if (isLetterOrDigit(ch)) {
      masked = (visible > 0 ? ch : '*') + masked;
      visible--;
    } else masked = ch + masked;
  }
  return masked.length > MAX_LENGTH ? `…${masked.slice(-MAX_LENGTH)}` : masked;
}

// ASCII by its code, the rest by Unicode's classes (the common case is all ASCII).
function isLetterOrDigit(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
  return /[\p{L}\p{N}]/u.test(ch);
}
