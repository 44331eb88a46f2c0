import type { Client } from '@temporalio/client';
import { startGovernanceWorkflow } from '../common/governance-workflow';
import type { DataCenter } from '../domain/data-centers';
import type { GovernanceActionKind } from '../domain/governance';
import { ConnectorsRepository } from '../store/connectors-repository';
import type { Store } from '../store/database';
import { GovernanceRepository, type GovernanceActionRow } from '../store/governance-repository';

/** How long a recorded action waits for its recorder's own start before the sweeper starts it. */
export const GOVERNANCE_START_GRACE_MS = 30_000;

/**
 * Starts the workflows of recorded actions and marks them started: the second half of the outbox (the
 * first is the row written with its finding). Starting twice is harmless (startGovernanceWorkflow), so
 * the recorder's start and the sweeper's need no lease between them.
 */
export class GovernanceStarter {
  private readonly repo: GovernanceRepository;
  private readonly connectors: ConnectorsRepository;

  constructor(
    private readonly temporal: Client,
    store: Store,
    private readonly taskQueue: string,
  ) {
    this.repo = new GovernanceRepository(store.db);
    this.connectors = new ConnectorsRepository(store.db);
  }

  /** Starts the actions with these ids (of one connector); answers how many were started. */
  async start(connectorId: string, ids: readonly string[]): Promise<number> {
    const rows: GovernanceActionRow[] = [];
    for (const id of ids) {
      const row = await this.repo.get(connectorId, id);
      if (row && row.started_at === null) rows.push(row);
    }
    return this.startRows(rows);
  }

  /** Starts what was recorded more than `graceMs` ago and never marked started; answers how many. */
  async sweep(graceMs = GOVERNANCE_START_GRACE_MS, limit = 100): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.repo.unstarted(new Date(Date.now() - graceMs).toISOString(), limit);
      if (rows.length === 0) return total;
      total += await this.startRows(rows);
      if (rows.length < limit) return total;
    }
  }

  private async startRows(rows: readonly GovernanceActionRow[]): Promise<number> {
    let started = 0;
    for (const row of rows) {
      const connector = await this.connectors.get(row.connector_id);
      if (!connector) continue;
      await startGovernanceWorkflow(this.temporal, {
        connectorId: row.connector_id,
        actionId: row.id,
        kind: row.kind as GovernanceActionKind,
        fileId: row.file_id,
        mode: row.mode,
        expiresAt: row.expires_at,
        requestedBy: row.requested_by,
        dataCenter: connector.data_center as DataCenter,
        enterpriseId: connector.enterprise_id,
        taskQueue: this.taskQueue,
      });
      await this.repo.markStarted([row.id], new Date().toISOString());
      started++;
    }
    return started;
  }
}
