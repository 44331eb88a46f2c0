import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BoxClient } from 'box-node-sdk';
import { BoxApiError } from 'box-node-sdk/box';
import type { BoxClientPool } from '../box/box-client-pool';
import { boxFailure } from '../box/box-failure';
import type { Config } from '../config/config';
import type { DataCenter } from '../domain/data-centers';
import type { Store } from '../store/database';
import { EVENT_TYPES_BY_KIND } from '../domain/file-event';
import { WebhooksRepository, type WebhookRow } from '../store/webhooks-repository';
import { listEnterpriseUsers, listFolderPage, type EnterpriseUser } from './scan-box-reader';
import { withKeepalive } from './keepalive';
import { mapAtOnce } from './at-once';

/**
 * The Box webhook v2 triggers we register: every trigger of the kind table (domain/file-event.ts), that is
 * its dotted names (the others are admin_logs event types; webhooks v2 has no print or ITEM_OPEN trigger).
 */
export const WATCHED_TRIGGERS: readonly string[] = Object.values(EVENT_TYPES_BY_KIND)
  .flat()
  .filter((type) => type.includes('.'));

/** Where Box delivers: the API's webhook route under the public base URL. */
export function webhookAddress(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/webhooks/box`;
}

/** What the webhook activities need. */
export interface WebhookActivityDeps {
  config: Pick<Config, 'api'>;
  store: Store;
  clients: BoxClientPool;
  /** Users handled at once (Box's rate limits are per user); default 4. */
  userConcurrency?: number;
}

/** Input of registerWebhooks. */
export interface RegisterWebhooksInput {
  connectorId: string;
  dataCenter: DataCenter;
  /** Like the scan: every managed user, or all but admins other than the authorizing one. */
  scope: 'allUsers' | 'allButOtherAdmins';
}

/** What registerWebhooks did, in counts (the webhooks themselves are in the store). */
export interface WebhookRegistration {
  users: number;
  /** Top-level folders watched after this call. */
  folders: number;
  /** Webhooks created on folders that had none. */
  created: number;
  /** Webhooks re-created because Box no longer had the recorded one. */
  recreated: number;
  /** Webhooks that existed at Box without (or with another) record, now recorded. */
  adopted: number;
  /** Recorded webhooks still in place. */
  kept: number;
  /** Webhooks deleted because their folder is no longer top-level or their user left the scope. */
  removed: number;
}

/** What removeWebhooks did. */
export interface WebhookRemoval {
  removed: number;
  /** Recorded webhooks Box no longer had (404). */
  alreadyGone: number;
  /** Webhooks left at Box because another active connector of the enterprise shares them. */
  keptForOthers: number;
}

/** The webhook activities of the main task queue: registration with repair, and removal on disconnect. */
export function createWebhookActivities(deps: WebhookActivityDeps) {
  const repo = new WebhooksRepository(deps.store.db);
  const address = webhookAddress(deps.config.api.publicBaseUrl);
  const concurrency = deps.userConcurrency ?? 4;

  return {
    /**
     * Makes every top-level folder of every in-scope user carry one webhook of ours (as that user), and
     * the store match Box: new folders get one, a webhook gone at Box is re-created, one Box already has
     * (409) is adopted, webhooks of folders no longer top-level or users no longer in scope are deleted.
     * Idempotent; safe to call on every scan pass.
     */
    async registerWebhooks(input: RegisterWebhooksInput): Promise<WebhookRegistration> {
      const ctx = Context.current();
      return withKeepalive(
        ctx,
        () => ({ keepalive: true }),
        async () => {
          const client = deps.clients.get(input.connectorId, input.dataCenter);
          const counts: WebhookRegistration = {
            users: 0,
            folders: 0,
            created: 0,
            recreated: 0,
            adopted: 0,
            kept: 0,
            removed: 0,
          };
          const users = await box(async () => {
            const me = (await client.users.getUserMe({ fields: ['id'] })).id;
            const all = await listEnterpriseUsers(client, ctx.cancellationSignal);
            return all.filter(
              (u) =>
                input.scope === 'allUsers' || u.id === me || (u.role !== 'admin' && u.role !== 'coadmin'),
            );
          });
          const stored = await repo.list(input.connectorId);
          const inScope = new Set(users.map((u) => u.id));

          await mapAtOnce(users, concurrency, async (user) => {
            await registerForUser(input.connectorId, client.withAsUserHeader(user.id), user, stored, counts);
            counts.users++;
            ctx.heartbeat({ usersDone: counts.users });
          });
          const leftScope = stored.filter((row) => !inScope.has(row.user_id));
          await mapAtOnce(leftScope, concurrency, async (row) => {
            await letGo(input.connectorId, client.withAsUserHeader(row.user_id), row.webhook_id);
            counts.removed++;
            ctx.heartbeat({ usersDone: counts.users, removed: counts.removed });
          });
          return counts;
        },
      );
    },

    /** Deletes every webhook of the connector at Box (a 404 is fine: it is gone) and in the store. */
    async removeWebhooks(input: { connectorId: string; dataCenter: DataCenter }): Promise<WebhookRemoval> {
      const ctx = Context.current();
      return withKeepalive(
        ctx,
        () => ({ keepalive: true }),
        async () => {
          const client = deps.clients.get(input.connectorId, input.dataCenter);
          const result: WebhookRemoval = { removed: 0, alreadyGone: 0, keptForOthers: 0 };
          const rows = await repo.list(input.connectorId);
          await mapAtOnce(rows, concurrency, async (row) => {
            const outcome = await letGo(
              input.connectorId,
              client.withAsUserHeader(row.user_id),
              row.webhook_id,
            );
            if (outcome === 'deleted') result.removed++;
            else if (outcome === 'gone') result.alreadyGone++;
            else result.keptForOthers++;
            ctx.heartbeat(result);
          });
          return result;
        },
      );
    },
  };

  async function registerForUser(
    connectorId: string,
    asUser: BoxClient,
    user: EnterpriseUser,
    stored: readonly WebhookRow[],
    counts: WebhookRegistration,
  ): Promise<void> {
    const folders = await box(() => topLevelFolders(asUser, user.id));
    let atBox = await box(() => webhooksAtBox(asUser));
    const mine = new Map(
      stored.filter((r) => r.user_id === user.id && r.target_type === 'folder').map((r) => [r.target_id, r]),
    );
    for (const folderId of folders) {
      const recorded = mine.get(folderId);
      let existing = atBox.get(folderId);
      if (existing === undefined) {
        const created = await box(() => createWebhook(asUser, folderId));
        if (created !== undefined) {
          await repo.record(connectorId, {
            webhookId: created,
            targetType: 'folder',
            targetId: folderId,
            userId: user.id,
          });
          if (recorded) counts.recreated++;
          else counts.created++;
          counts.folders++;
          continue;
        }
        // 409: Box has one on this folder already (made by a call that died before recording it).
        atBox = await box(() => webhooksAtBox(asUser));
        existing = atBox.get(folderId);
        if (existing === undefined)
          throw ApplicationFailure.retryable(
            `Box answered 409 for a webhook on folder ${folderId} but does not list one`,
            'BoxWebhookConflict',
          );
      }
      if (recorded?.webhook_id === existing) counts.kept++;
      else {
        await repo.record(connectorId, {
          webhookId: existing,
          targetType: 'folder',
          targetId: folderId,
          userId: user.id,
        });
        counts.adopted++;
      }
      counts.folders++;
    }
    const current = new Set(folders);
    for (const row of mine.values()) {
      if (current.has(row.target_id)) continue;
      await box(() => letGo(connectorId, asUser, row.webhook_id));
      counts.removed++;
    }
  }

  /**
   * The connector no longer needs a webhook: its record goes, and the webhook is deleted at Box only when no
   * other active connector of the enterprise shares it (Box keeps one per app, folder and user).
   */
  async function letGo(
    connectorId: string,
    asUser: BoxClient,
    webhookId: string,
  ): Promise<'deleted' | 'gone' | 'shared'> {
    const shared = await repo.sharedWithOthers(connectorId, webhookId);
    // Deleted at Box before the record goes, so a failed delete is retried with the record still there.
    const existed = shared || (await deleteAtBox(asUser, webhookId));
    await repo.remove(connectorId, webhookId);
    return shared ? 'shared' : existed ? 'deleted' : 'gone';
  }

  /** Creates our webhook on a folder; undefined when Box answers 409 (one exists on the target). */
  async function createWebhook(asUser: BoxClient, folderId: string): Promise<string | undefined> {
    try {
      const hook = await asUser.webhooks.createWebhook({
        target: { id: folderId, type: 'folder' },
        address,
        triggers: [...WATCHED_TRIGGERS],
      });
      if (!hook.id) throw new Error(`Box created a webhook on folder ${folderId} without an id`);
      return hook.id;
    } catch (err) {
      if (statusOf(err) === 409) return undefined;
      throw err;
    }
  }
}

/** The folders at the root of a user's tree that the user owns (Box allows no webhook on folder 0). */
async function topLevelFolders(asUser: BoxClient, userId: string): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | null = null;
  do {
    const page = await listFolderPage(asUser, '0', marker, 1000);
    for (const f of page.folders) if (f.ownerId === userId) ids.push(f.id);
    marker = page.nextMarker;
  } while (marker);
  return ids;
}

/** The app's webhooks on folders created by the client's user: folder id -> webhook id. */
async function webhooksAtBox(asUser: BoxClient): Promise<Map<string, string>> {
  const byFolder = new Map<string, string>();
  let marker: string | undefined;
  do {
    const page = await asUser.webhooks.getWebhooks({ limit: 200, ...(marker && { marker }) });
    for (const hook of page.entries ?? [])
      if (hook.id && hook.target?.type === 'folder' && hook.target.id) byFolder.set(hook.target.id, hook.id);
    marker = page.nextMarker ?? undefined;
  } while (marker);
  return byFolder;
}

/** Deletes a webhook at Box; false when Box no longer had it (404). Other errors become boxFailure. */
async function deleteAtBox(asUser: BoxClient, webhookId: string): Promise<boolean> {
  try {
    await asUser.webhooks.deleteWebhookById(webhookId);
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw boxFailure(err);
  }
}

function statusOf(err: unknown): number | undefined {
  return err instanceof BoxApiError ? err.responseInfo.statusCode : undefined;
}

/** Runs a Box call, turning what it throws into the activity failure (boxFailure) unless it already is one. */
async function box<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    throw boxFailure(err);
  }
}
