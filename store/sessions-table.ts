/** A console sign-in session (migration 012); the cookie's id is stored as its SHA-256 only. */
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: string;
  /** Absolute end of the session (ISO 8601), set at sign-in. */
  expires_at: string;
  /** The last request of the session (ISO 8601): idle expiry counts from it. */
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}
