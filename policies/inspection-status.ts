/** Every inspection status a scanned file can end with (the scan adds `Deleted` for trashed files). */
export const INSPECTION_STATUSES = [
  'Completed',
  'NotApplicable',
  'SizeExceeded',
  'Truncated',
  'Unsupported',
  'Encrypted',
  'Failed',
] as const;

/** The outcome of inspecting one file. */
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

/** True when `value` is one of {@link INSPECTION_STATUSES}. */
export function isInspectionStatus(value: unknown): value is InspectionStatus {
  return (INSPECTION_STATUSES as readonly unknown[]).includes(value);
}
