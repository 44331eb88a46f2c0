import { FindingsRepository, type FindingDecision, type FindingRow } from '../store/findings-repository';
import type { Store } from '../store/database';
import { ProblemError } from './problem';

/** What the dismiss and resolve of a finding need: the decision, who decides, and why. */
export interface FindingDecisionInput {
  connectorId: string;
  findingId: string;
  decision: FindingDecision;
  /** The login of the person deciding (recorded on the finding). */
  login: string;
  reason?: string;
}

/**
 * Dismisses or resolves an open finding: the one service behind the API's
 * `POST /api/connectors/:id/findings/:findingId/{dismiss,resolve}` and the console's findings page.
 * Thrown when it cannot: a 404 problem when the connector has no such finding, a 409 one when the finding
 * is not open (naming its status).
 */
export async function decideFinding(store: Store, input: FindingDecisionInput): Promise<FindingRow> {
  const outcome = await new FindingsRepository(store.db).decide(
    input.connectorId,
    input.findingId,
    input.decision,
    {
      login: input.login,
      reason: input.reason,
      at: new Date().toISOString(),
    },
  );
  if (outcome.kind === 'not-found')
    throw new ProblemError('not-found', `No finding '${input.findingId}' on this connector.`);
  if (outcome.kind === 'not-open') {
    const verb = input.decision === 'dismiss' ? 'dismissed' : 'resolved';
    const by = outcome.finding.decided_by ? ` by ${outcome.finding.decided_by}` : '';
    throw new ProblemError(
      'conflict',
      `The finding is ${outcome.finding.status}${by}: only an open finding can be ${verb}.`,
    );
  }
  return outcome.finding;
}
