const VISIBLE = 4;
const MAX_LENGTH = 24;

/**
 * The only form of a sensitive value that leaves the library: letters and digits become `*` except
 * the last four, separators stay so the shape is recognisable (`***-**-6789`), long values keep
 * their tail only.
 */
export function maskSample(value: string): string {
  const compact = value.replace(/\s+/g, ' ').trim();
  let visible = VISIBLE;
  let masked = '';
  for (let i = compact.length - 1; i >= 0; i--) {
    const ch = compact[i]!;
    if (/[\p{L}\p{N}]/u.test(ch)) {
      masked = (visible > 0 ? ch : '*') + masked;
      visible--;
    } else masked = ch + masked;
  }
  return masked.length > MAX_LENGTH ? `…${masked.slice(-MAX_LENGTH)}` : masked;
}
