/** Limits of content inspection; the defaults are the ones the commercial connector documents. */
export interface InspectionLimits {
  /** Files larger than this are not downloaded nor inspected (`SizeExceeded`). */
  readonly maxFileBytes: number;
  /** Extracted text beyond this many characters is cut (`Truncated`, the rest is still inspected). */
  readonly maxTextChars: number;
  /** Uncompressed size an Office zip may expand to: guards against zip bombs (`Failed` beyond it). */
  readonly maxUncompressedBytes: number;
  /** Archives inside archives opened, the outer one included (`.zip` in a `.zip`: 2). */
  readonly maxArchiveDepth: number;
  /** Members of an archive (and the archives in it) read; the rest are `SizeExceeded`. */
  readonly maxArchiveMembers: number;
  /** A member expanding more than this many times its compressed size is a zip bomb (`Failed`). */
  readonly maxCompressionRatio: number;
}

/**
 * 30 MB per file (and per archive member), 1,000,000 characters of text, 256 MB decompressed per
 * Office file or archive, 3 levels of archives, 1,000 members, 100 times compression.
 */
export const DEFAULT_INSPECTION_LIMITS: InspectionLimits = {
  maxFileBytes: 30 * 1024 * 1024,
  maxTextChars: 1_000_000,
  maxUncompressedBytes: 256 * 1024 * 1024,
  maxArchiveDepth: 3,
  maxArchiveMembers: 1_000,
  maxCompressionRatio: 100,
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
    maxArchiveDepth: pick('maxArchiveDepth'),
    maxArchiveMembers: pick('maxArchiveMembers'),
    maxCompressionRatio: pick('maxCompressionRatio'),
  };
}
