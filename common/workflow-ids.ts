/** Deterministic workflow IDs, so the API can address a connector's workflows. */
export const workflowIds = {
  connector: (connectorId: string) => `connector/${connectorId}`,
  backfill: (connectorId: string) => `connector/${connectorId}/backfill`,
  scan: (connectorId: string) => `connector/${connectorId}/scan`,
  events: (connectorId: string) => `connector/${connectorId}/events`,
  governance: (connectorId: string, actionId: string) => `governance/${connectorId}/${actionId}`,
};
