/** Box-style string IDs for simulator objects: a fixed base per kind plus the object's index. */

const BASES = {
  user: 10_000_000_000,
  folder: 200_000_000_000,
  file: 1_000_000_000_000,
  collaboration: 40_000_000_000,
  webhook: 500_000_000,
  fileVersion: 2_000_000_000_000,
} as const;

/** Kinds of object with a generated ID. */
export type IdKind = keyof typeof BASES;

/** The string ID of the object of that kind at that index. */
export function idOf(kind: IdKind, index: number): string {
  return String(BASES[kind] + index);
}

/** The index behind an ID, or undefined when the ID cannot belong to that kind. */
export function indexOf(kind: IdKind, id: string, count: number): number | undefined {
  if (!/^\d{1,16}$/.test(id)) return undefined;
  const index = Number(id) - BASES[kind];
  return Number.isInteger(index) && index >= 0 && index < count ? index : undefined;
}
