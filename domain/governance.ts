/**
 * Governance actions: what connect-box can do to a file about a finding (docs/governance.md). Pure data:
 * the policy library validates these kinds, the store keeps these states, the workflow moves between them
 * and the API shows them.
 */

/** Every action kind (the governanceAction workflow's input; activities/governance-box.ts serves them). */
export const GOVERNANCE_ACTION_KINDS = [
  'remove-shared-link',
  'restrict-shared-link',
  'set-shared-link-expiry',
  'remove-external-collaborators',
  'remove-collaborator',
  'make-private',
  'quarantine',
  'restore',
  'trash',
  'notify-owner',
] as const;
/** One of GOVERNANCE_ACTION_KINDS. */
export type GovernanceActionKind = (typeof GOVERNANCE_ACTION_KINDS)[number];

/** How an action came to be: a policy's automatic action, a policy's action awaiting approval, or a person's. */
export const GOVERNANCE_MODES = ['automatic', 'approval', 'manual'] as const;
/** One of GOVERNANCE_MODES. */
export type GovernanceMode = (typeof GOVERNANCE_MODES)[number];

/**
 * States of an action. `pending`: recorded, its workflow not yet running; `awaiting-approval`: waits for an
 * approve or reject Update until `expires_at`; `approved`: approved, not yet acting; `running`: checking the
 * file and acting; `paused`: Box rejected the connector's token, waits for a new authorization; then one of
 * the final states.
 */
export const GOVERNANCE_STATES = [
  'pending',
  'awaiting-approval',
  'approved',
  'running',
  'paused',
  'done',
  'skipped',
  'rejected',
  'expired',
  'failed',
] as const;
/** One of GOVERNANCE_STATES. */
export type GovernanceState = (typeof GOVERNANCE_STATES)[number];

/** States an action never leaves. */
export const FINAL_GOVERNANCE_STATES: readonly GovernanceState[] = [
  'done',
  'skipped',
  'rejected',
  'expired',
  'failed',
];

/** Shared-link access levels, widest first. */
export const SHARED_LINK_ACCESS = ['open', 'company', 'collaborators'] as const;
/** One of SHARED_LINK_ACCESS. */
export type SharedLinkAccess = (typeof SHARED_LINK_ACCESS)[number];

/**
 * Parameters of an action, by kind (validated by policies/policy/governance-action-schema.ts). Kinds not
 * listed take none.
 */
export interface GovernanceParams {
  /** restrict-shared-link: the access to restrict the link to (narrower than it is). */
  access?: 'company' | 'collaborators';
  /** set-shared-link-expiry: when the link stops working (ISO 8601), or ... */
  unsharedAt?: string;
  /** ... how many days after the action it does. */
  days?: number;
  /** remove-collaborator: the collaborator's login, or the collaboration's id. */
  login?: string;
  collaborationId?: string;
  /** notify-owner: who else gets the e-mail. */
  cc?: string[];
  /** quarantine and notify-owner: whom the owner should contact (the note and the e-mail say it). */
  contact?: string;
}

/** Days an action waiting for approval waits before it expires, when its policy does not say. */
export const DEFAULT_APPROVAL_EXPIRY_DAYS = 7;

/**
 * What the scan saw of the file when the finding was opened: the action skips when the file no longer
 * matches it (its content or its sharing changed since).
 */
export interface ExpectedFileState {
  sha1: string;
  /** open | company | collaborators, null without a shared link. */
  sharedLinkAccess: string | null;
  /** Logins collaborated on the file itself, lower case, sorted (groups left out). */
  collaborators: string[];
}
