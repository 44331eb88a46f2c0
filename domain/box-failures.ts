/**
 * ApplicationFailure types of Box failures that workflows react to (box/box-failure.ts raises them as
 * `Box<kind>`; a unit test ties the two together). Workflows import these names; they never spell them.
 */

/** Failures only a new authorization cures: the scan and the backfill pause on them until `resume`. */
export const REAUTHORIZATION_FAILURES = [
  'BoxInvalidRefreshToken',
  'BoxAppRemoved',
  'BoxTokensUnavailable',
  'BoxUnauthorized',
] as const;

/**
 * The pause list before `BoxUnauthorized` joined it (a 401 after a refresh was skipped, not paused on):
 * histories recorded before the `pause-on-unauthorized` patch replay with it.
 */
export const REAUTHORIZATION_FAILURES_BEFORE_UNAUTHORIZED: readonly string[] = [
  'BoxInvalidRefreshToken',
  'BoxAppRemoved',
  'BoxTokensUnavailable',
];

/** Failures of the connect activities that retrying cannot cure (connectBox reports them to the user). */
export const CONNECT_FAILURES = {
  /** Box refused the authorization code (expired after 30 s, already used, wrong app). */
  codeRejected: 'BoxInvalidAuthorizationCode',
  /** Box refused the refresh token: a new authorization is needed. */
  refreshTokenRejected: 'BoxInvalidRefreshToken',
  /** The admin removed the app: every token is refused. */
  appRemoved: 'BoxAppRemoved',
  /** The app's client id or secret is wrong in configuration. */
  invalidClient: 'BoxInvalidClientCredentials',
  /** No Box app is configured for the data centre. */
  misconfigured: 'BoxMisconfigured',
} as const;
