/** Every status a connector can be in (DESIGN: connector status). */
export const CONNECTOR_STATUSES = [
  'AwaitingAuthorization',
  'Authorizing',
  'RunningApiTest',
  'Connected',
  'AuthorizationExpired',
  'ApiTestFailed',
  'NeedsReauthorization',
  'Disconnected',
] as const;
/** One of CONNECTOR_STATUSES. */
export type ConnectorStatusName = (typeof CONNECTOR_STATUSES)[number];
