import type { ConnectorStatus } from '../domain/connector-status';

/** Markdown shown as the workflow's current details in the Temporal Web UI. */
export function describeConnector(s: ConnectorStatus): string {
  const lines = [`**${s.instanceName}** (${s.dataCenter}): **${s.status}**`, '', s.message];
  if (s.nextStep) lines.push('', `Next step: ${s.nextStep}`);
  if (s.apiTest) {
    lines.push('', `API test (${s.apiTest.outcome}):`);
    for (const c of s.apiTest.checks)
      lines.push(`- ${c.passed ? 'passed' : 'FAILED'}: ${c.name}: ${c.message}`);
  }
  if (s.backfill) lines.push('', `Backfill: ${s.backfill.state}, ${s.backfill.imported} imported`);
  return lines.join('\n');
}
