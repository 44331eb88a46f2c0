/** Limits of content inspection; the defaults are the ones the commercial connector documents. */
export interface InspectionLimits {
  /** Files larger than this are not downloaded nor inspected (`SizeExceeded`). */
  readonly maxFileBytes: number;
  /** Extracted text beyond this many characters is cut (`Truncated`, the rest is still inspected). */
  readonly maxTextChars: number;
  /** Uncompressed size an Office zip may expand to: guards against zip bombs (`Failed` beyond it). */
  readonly maxUncompressedBytes: number;
}

/** 30 MB per file, 1,000,000 characters of text, 256 MB of decompressed Office parts. */
export const DEFAULT_INSPECTION_LIMITS: InspectionLimits = {
  maxFileBytes: 30 * 1024 * 1024,
  maxTextChars: 1_000_000,
  maxUncompressedBytes: 256 * 1024 * 1024,
};

/** Fills the limits a caller left out (or gave as undefined, NaN or negative) with the defaults. */
export function resolveLimits(limits?: Partial<InspectionLimits>): InspectionLimits {
  const pick = (key: keyof InspectionLimits) => {
    const value = limits?.[key];
    return value !== undefined && Number.isFinite(value) && value >= 0
      ? value
      : DEFAULT_INSPECTION_LIMITS[key];
  };
  return {
    maxFileBytes: pick('maxFileBytes'),
    maxTextChars: pick('maxTextChars'),
    maxUncompressedBytes: pick('maxUncompressedBytes'),
  };
}
