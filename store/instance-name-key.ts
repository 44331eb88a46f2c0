/**
 * The form of a connector's instance name that must be unique among active connectors: trimmed, inner
 * white space collapsed, Unicode NFKC, and case folded (upper then lower case, so that ß and SS, or ﬁ and
 * FI, fold alike). `' northwind (BOX-SIM) '` and `Northwind (box-sim)` have the same key.
 */
export function instanceNameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/gu, ' ').toUpperCase().toLowerCase().normalize('NFKC');
}
