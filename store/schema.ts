/** A connector: one Box enterprise connection (the workflow owns the live status; this is the record). */
export interface ConnectorsTable {
  id: string;
  instance_name: string;
  data_center: string;
  status: string;
  status_message: string;
  enterprise_id: string | null;
  authorized_login: string | null;
  authorized_role: string | null;
  created_at: string;
  updated_at: string;
  /** 1 while the connector is not Disconnected: instance names are unique among active connectors. */
  active: number;
}

/** The database as Kysely sees it. Later migrations add their tables here. */
export interface Database {
  connectors: ConnectorsTable;
}
