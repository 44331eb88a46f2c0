/** Thrown when a policy file cannot be read or does not validate; `issues` lists each problem. */
export class PolicySetError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly issues: readonly string[] = [],
  ) {
    super(issues.length > 0 ? `${message}:\n${issues.map((i) => `  - ${i}`).join('\n')}` : message);
    this.name = 'PolicySetError';
  }
}
