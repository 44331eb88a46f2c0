/**
 * Tables of governance (migration 013). Times are ISO 8601 UTC with milliseconds; JSON columns hold text.
 */

/** One governance action on one file (its workflow is `governance/<connector_id>/<id>`). */
export interface GovernanceActionsTable {
  id: string;
  connector_id: string;
  file_id: string;
  /** The file's owner when the action was recorded (the As-User the action acts as). */
  owner_id: string | null;
  /** One of GOVERNANCE_ACTION_KINDS. */
  kind: string;
  /** The kind's parameters (GovernanceParams), JSON. */
  params_json: string;
  /** The policy whose action this is (null for a manual action without one). */
  policy_id: string | null;
  /** The finding that asked for it. */
  finding_id: string | null;
  /** `<finding id>/<index of the action in its policy>`: one action per finding and policy action. */
  source_key: string | null;
  /** automatic | approval | manual. */
  mode: string;
  dry_run: number;
  /** One of GOVERNANCE_STATES. */
  state: string;
  /** Why it is in its state (skipped, rejected, failed, paused), in words for people. */
  reason: string | null;
  /** Who asked: `policy:<id>` or the login of the person. */
  requested_by: string;
  /** Who approved or rejected it. */
  approver: string | null;
  decided_at: string | null;
  /** Until when an approval is awaited. */
  expires_at: string | null;
  /** What the scan saw of the file (ExpectedFileState), JSON; null: act on the file as it is. */
  expected_json: string | null;
  /** The file's state read before acting and after (FileGovernanceState), JSON. */
  before_json: string | null;
  after_json: string | null;
  /** What the action did (or would have done, dry run), in words. */
  outcome: string | null;
  /** When its workflow was started; null while the row waits in the outbox. */
  started_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One entry of an action's audit trail (append-only); `step` numbers the entries of one action. */
export interface GovernanceAuditTable {
  action_id: string;
  step: number;
  connector_id: string;
  file_id: string;
  at: string;
  /** recorded, awaiting-approval, approved, rejected, expired, checked, skipped, acted, dry-run, paused, ... */
  event: string;
  /** `policy:<id>`, `system`, or the login of a person. */
  actor: string;
  /** JSON object. */
  detail_json: string;
}
