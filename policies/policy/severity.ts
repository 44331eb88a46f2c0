/** Severities of a policy, from the mildest. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** How serious a policy match is. */
export type Severity = (typeof SEVERITIES)[number];

/** True when `value` is one of {@link SEVERITIES}. */
export function isSeverity(value: unknown): value is Severity {
  return (SEVERITIES as readonly unknown[]).includes(value);
}
