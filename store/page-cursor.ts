import { InvalidCursorError } from './event-log-repository';

/** Rows per page of the scan's API lists when the caller does not say, and the most it may ask for. */
export const SCAN_PAGE = { defaultLimit: 100, maxLimit: 1000 } as const;

/** An opaque keyset cursor: the sort key of the last row of a page, tagged with what it pages. */
export function encodeCursor(tag: string, key: readonly string[]): string {
  return Buffer.from(JSON.stringify([tag, ...key])).toString('base64url');
}

/** The sort key inside a cursor made by encodeCursor with the same tag and key length. */
export function decodeCursor(cursor: string, tag: string, length: number): string[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === length + 1 &&
      value[0] === tag &&
      value.every((v) => typeof v === 'string')
    )
      return value.slice(1);
  } catch {
    // falls through to the error below
  }
  throw new InvalidCursorError(cursor);
}

/** Clamps a requested page size to [1, SCAN_PAGE.maxLimit]. */
export function pageLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, limit ?? SCAN_PAGE.defaultLimit), SCAN_PAGE.maxLimit);
}
