/**
 * Tables of the scan (migration 005). Times are ISO 8601 UTC with milliseconds, so text order is time
 * order; JSON columns hold text (the same on SQLite and PostgreSQL).
 */

/** One pass of the scan of a connector: when it ran and what it counted. */
export interface ScanPassesTable {
  connector_id: string;
  pass: number;
  /** The policy-set version the pass judges files with. */
  policy_version: string;
  /** The internal domains in force (from configuration, else the enterprise's user logins), JSON array. */
  internal_domains_json: string;
  users_total: number;
  started_at: string;
  completed_at: string | null;
  files_seen: number;
  inspected: number;
  skipped_unchanged: number;
  findings: number;
  deleted: number;
  /** Priority rescans committed while this was the latest pass (migration 010). */
  priority_scanned: number;
}

/** An in-scope user of a pass: the pass's work list, with the user's counts so far. */
export interface ScanUsersTable {
  connector_id: string;
  pass: number;
  user_id: string;
  login: string;
  /** Order of the user in Box's listing (oldest first). */
  position: number;
  done: number;
  pages: number;
  files_seen: number;
  inspected: number;
  skipped_unchanged: number;
  findings: number;
  updated_at: string;
}

/** A folder of a user's walk still to list (done = 0) or listed; `marker` is the next page's. */
export interface ScanFoldersTable {
  connector_id: string;
  pass: number;
  user_id: string;
  folder_id: string;
  /** Logins of the collaborators the folder passes on to its items (its own and its ancestors'), JSON. */
  collaborators_json: string;
  marker: string | null;
  done: number;
}

/** The inventory: one row per file of the connector (owned by an in-scope user). */
export interface FilesTable {
  connector_id: string;
  file_id: string;
  owner_id: string;
  owner_login: string;
  name: string;
  /** `/Folder/Sub/name.ext`, as the owner sees it. */
  path: string;
  extension: string;
  size: number;
  sha1: string;
  /** private | internal | external | public (policies' evaluateExposure). */
  access_level: string;
  /** open | company | collaborators, null without a shared link. */
  shared_link_access: string | null;
  /** `{ internal, external, externalDomains }` (counts of collaborator logins), JSON. */
  collaborators_json: string;
  /** Logins collaborated on the file itself (not inherited), JSON array: reused while the file is unchanged. */
  direct_collaborators_json: string;
  has_collaborations: number;
  modified_at: string | null;
  /** The last pass whose walk saw the file; files of a finished pass not seen in it are deleted. */
  last_seen_pass: number;
  /** The last pass whose walk (not the priority lane) listed the file: what a pass's `filesSeen` counts. */
  walked_pass: number;
  last_scanned_at: string | null;
  scanned_sha1: string | null;
  scanned_sharing_hash: string | null;
  scanned_policy_version: string | null;
  /** An InspectionStatus, `Pending` before the first inspection, or `Deleted`. */
  inspection_status: string;
  inspection_reason: string;
  deleted_at: string | null;
  updated_at: string;
}

/** A policy a file matched: open while it matches, closed (with its time) once it no longer does. */
export interface FindingsTable {
  id: string;
  connector_id: string;
  file_id: string;
  policy_id: string;
  policy_name: string;
  severity: string;
  access_level: string;
  /** Values counted per detector, JSON. */
  detector_counts_json: string;
  /** Masked samples only (policies' MaskedSample), JSON: never a raw value. */
  samples_json: string;
  /** open, closed (the file no longer matches), dismissed or resolved (an analyst's decision). */
  status: string;
  opened_at: string;
  closed_at: string | null;
  updated_at: string;
  /** Who dismissed or resolved it (a login), when, and why (migration 014); null while undecided. */
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

/** One external collaborator domain of a file (migration 014): what the file list's domain filter reads. */
export interface FileDomainsTable {
  connector_id: string;
  domain: string;
  file_id: string;
}

/** Priority files that did not fit the workflow's bounded queue; `taken_at` while a scan holds them. */
export interface PriorityOverflowTable {
  connector_id: string;
  file_id: string;
  /** The FileEvent, JSON. */
  activity_json: string;
  queued_at: string;
  taken_at: string | null;
}
