import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BoxClient } from 'box-node-sdk';
import type { BoxClientPool } from '../box/box-client-pool';
import { boxFailure } from '../box/box-failure';
import { describeBoxError } from '../box/box-errors';
import type { Config } from '../config/config';
import type { DataCenter } from '../domain/data-centers';
import type { ExpectedFileState, GovernanceActionKind, GovernanceParams } from '../domain/governance';
import type { Store } from '../store/database';
import { ConnectorsRepository } from '../store/connectors-repository';
import { GovernanceRepository, type GovernanceActionRow } from '../store/governance-repository';
import { ScanWorkRepository } from '../store/scan-work-repository';
import type {
  GovernanceActivities,
  GovernancePerformResult,
} from '../workflows/governance-action-activities';
import * as box from './governance-box';
import type { FileGovernanceState } from './governance-box';
import type { Mailer } from './mailer';
import { withKeepalive } from './keepalive';

/** What the governance activities need. */
export interface GovernanceActivityDeps {
  config: Pick<Config, 'policies'>;
  store: Store;
  clients: BoxClientPool;
  /** The mailer of notify-owner; without one (no SMTP configured) notify-owner fails saying so. */
  mailer?: Mailer;
  /** The Box functions (activities/governance-box.ts; tests may wrap them to count calls). */
  boxApi?: typeof box;
}

/**
 * TEST ONLY: `CONNECT_BOX_TEST_FAULT=governance-mid-action` kills the worker with SIGKILL right after the
 * first Box change of an action, to prove a retry on another worker finishes it without acting twice.
 * Honoured only when NODE_ENV is `test` (jest sets it).
 */
function testFault(point: string): void {
  if (process.env.NODE_ENV === 'test' && process.env.CONNECT_BOX_TEST_FAULT === point)
    process.kill(process.pid, 'SIGKILL');
}

/** The activities of governanceAction (main task queue). */
export function createGovernanceActivities(deps: GovernanceActivityDeps): GovernanceActivities {
  const repo = new GovernanceRepository(deps.store.db);
  const connectors = new ConnectorsRepository(deps.store.db);
  const work = new ScanWorkRepository(deps.store.db);
  const api = deps.boxApi ?? box;

  const internalDomains = async (connectorId: string): Promise<string[]> => {
    const configured = deps.config.policies.internalDomains?.filter(Boolean) ?? [];
    if (configured.length > 0) return configured;
    const pass = await work.latestPass(connectorId);
    return pass ? (JSON.parse(pass.internal_domains_json) as string[]) : [];
  };

  return {
    async recordGovernanceStep(input) {
      await repo.transition(
        input.connectorId,
        input.actionId,
        {
          state: input.state,
          ...(input.reason !== undefined && { reason: input.reason }),
          ...(input.approver !== undefined && { approver: input.approver }),
          ...(input.decidedAt !== undefined && { decided_at: input.decidedAt }),
          ...(input.outcome !== undefined && { outcome: input.outcome }),
        },
        { ...input.audit, at: new Date().toISOString() },
      );
    },

    async connectorReauthorized({ connectorId, since }) {
      const row = await connectors.get(connectorId);
      return row !== undefined && row.status === 'Connected' && row.updated_at > since;
    },

    performGovernanceAction(input) {
      // Heartbeats while it works, so an attempt on a worker that died is retried within seconds.
      return withKeepalive(
        Context.current(),
        () => ({ keepalive: true }),
        () => perform(input),
      );
    },
  };

  async function perform({
    connectorId,
    actionId,
    dataCenter,
  }: {
    connectorId: string;
    actionId: string;
    dataCenter: DataCenter;
  }): Promise<GovernancePerformResult> {
    const row = await repo.get(connectorId, actionId);
    if (!row)
      throw ApplicationFailure.nonRetryable(
        `No governance action ${actionId} of connector ${connectorId}`,
        'GovernanceActionMissing',
      );
    const kind = row.kind as GovernanceActionKind;
    const params = JSON.parse(row.params_json) as GovernanceParams;
    const domains = await internalDomains(connectorId);
    const admin = deps.clients.get(connectorId, dataCenter);
    const ctx = { row, kind, params, domains, admin, connectorId, dataCenter };

    // A restore acts on a file the admin holds (quarantine) or in the trash: it has its own path.
    if (kind === 'restore') return restore(ctx);

    const { client, state } = await readAsOwner(api, admin, row, domains);
    let before: FileGovernanceState;
    if (row.before_json === null) {
      // First attempt: the file must still be what the finding saw.
      if (state === null) return skip('the file is gone (trashed or deleted) since the finding');
      const changed = mismatch(row, state);
      if (changed) return skip(changed, state.ownerId);
      before = state;
      await repo.setBoxState(connectorId, actionId, { before: state });
    } else {
      // An earlier attempt began acting (and may have finished some steps): go on from Box's state.
      before = JSON.parse(row.before_json) as FileGovernanceState;
      if (state === null && kind !== 'trash')
        return skip('the file is gone (trashed or deleted) since the action began', before.ownerId);
    }
    const plan = planOf(kind, params, before, state);
    if (row.dry_run === 1)
      return {
        result: 'dry-run',
        outcome:
          plan.length > 0
            ? `dry run: would ${plan.join('; ')}`
            : 'dry run: nothing to change, the file is already so',
        changes: plan,
        ownerId: before.ownerId,
      };
    if (kind === 'notify-owner') return notify(ctx, before);
    if (state === null) return done(plan, before, null); // trash: already gone
    await act(ctx, client, state);
    const after = await readAfter(ctx, client, before);
    await repo.setBoxState(connectorId, actionId, { after });
    return done(plan, before, after);
  }

  function skip(reason: string, ownerId?: string): GovernancePerformResult {
    return { result: 'skipped', outcome: reason, changes: [], ...(ownerId && { ownerId }) };
  }

  function done(
    plan: string[],
    before: FileGovernanceState,
    _after: FileGovernanceState | null,
  ): GovernancePerformResult {
    return {
      result: 'done',
      outcome: plan.length > 0 ? plan.join('; ') : 'nothing to change: the file was already so',
      changes: plan,
      ownerId: before.ownerId,
    };
  }

  /** Applies the action to the file in its current state (each Box step is skipped when already done). */
  async function act(ctx: Ctx, client: BoxClient, state: FileGovernanceState): Promise<void> {
    const { kind, params } = ctx;
    const step = async (change: () => Promise<boolean>) => {
      if (await change()) testFault('governance-mid-action');
    };
    const removeLink = () => step(() => api.removeSharedLink(client, state.fileId));
    const removeExternal = async () => {
      for (const c of state.collaborations.filter((c) => c.external))
        await step(() => api.removeCollaboration(client, c.id));
    };
    switch (kind) {
      case 'remove-shared-link':
        return removeLink();
      case 'restrict-shared-link':
        return step(() => api.restrictSharedLink(client, state.fileId, params.access ?? 'collaborators'));
      case 'set-shared-link-expiry':
        return step(() => api.setSharedLinkExpiry(client, state.fileId, expiryOf(ctx.row, params)));
      case 'remove-external-collaborators':
        return removeExternal();
      case 'remove-collaborator': {
        const target = state.collaborations.filter((c) =>
          params.collaborationId ? c.id === params.collaborationId : c.login === params.login?.toLowerCase(),
        );
        for (const c of target) await step(() => api.removeCollaboration(client, c.id));
        return;
      }
      case 'make-private':
        await removeLink();
        for (const c of state.collaborations) await step(() => api.removeCollaboration(client, c.id));
        return;
      case 'trash':
        return step(() => api.deleteFile(client, state.fileId));
      case 'quarantine': {
        const folderId = await api.ensureQuarantineFolder(ctx.admin, ctx.connectorId);
        if (state.parentId === folderId) return;
        const adminUserId = await adminId(ctx.admin);
        // The note goes first: once the file is gone its owner must find out why in the same folder.
        await api.uploadNote(client, state.parentId, noteName(state.name), await noteText(ctx, state));
        await step(() =>
          api.quarantineFile(client, ctx.admin, {
            fileId: state.fileId,
            adminUserId,
            quarantineFolderId: folderId,
          }),
        );
        return;
      }
      case 'notify-owner':
      case 'restore':
        return;
    }
  }

  async function readAfter(
    ctx: Ctx,
    client: BoxClient,
    before: FileGovernanceState,
  ): Promise<FileGovernanceState | null> {
    // A quarantined file belongs to the admin: read it as the admin.
    const reader = ctx.kind === 'quarantine' ? ctx.admin : client;
    return guard(() => api.readFileState(reader, before.fileId, ctx.domains));
  }

  async function notify(ctx: Ctx, before: FileGovernanceState): Promise<GovernancePerformResult> {
    const sent = /^e-mail sent \(([^)]*)\)/.exec(ctx.row.outcome ?? '');
    const to = before.ownerLogin;
    const cc = ctx.params.cc ?? [];
    const lines = [`e-mail ${to}${cc.length > 0 ? ` (cc ${cc.join(', ')})` : ''}`];
    if (sent) return { ...done(lines, before, before), messageId: sent[1] };
    if (!deps.mailer)
      throw ApplicationFailure.nonRetryable(
        'No SMTP server is configured: set SMTP_HOST (and SMTP_PORT, MAIL_FROM) so the owner can be e-mailed.',
        'MailNotConfigured',
      );
    const policy = ctx.row.policy_id ?? 'a manual request';
    const receipt = await deps.mailer.send({
      to: [to],
      ...(cc.length > 0 && { cc }),
      subject: `connect-box: your file "${before.name}" needs attention`,
      text: [
        `Hello,`,
        ``,
        `Your Box file "${before.name}" (id ${before.fileId}) matched the data-protection policy ${policy}.`,
        before.sharedLink ? `It has a shared link (${before.sharedLink.access}).` : '',
        `Please review who can see it and remove what should not be shared.`,
        ctx.params.contact ? `Questions: ${ctx.params.contact}.` : '',
        ``,
        `connect-box`,
      ]
        .filter((l, i, all) => l !== '' || all[i - 1] !== '')
        .join('\n'),
    });
    // Recorded at once, so a retry after this point does not send it again.
    await repo.setBoxState(ctx.connectorId, ctx.row.id, { outcome: `e-mail sent (${receipt.messageId})` });
    return { ...done(lines, before, before), messageId: receipt.messageId };
  }

  /** Restore: out of quarantine (back to the folder it left) or out of the trash, whichever it went to. */
  async function restore(ctx: Ctx): Promise<GovernancePerformResult> {
    const { row, admin, domains } = ctx;
    const last = await repo.lastDone(ctx.connectorId, row.file_id, ['quarantine', 'trash']);
    if (!last?.before_json) return skip('the file was neither quarantined nor trashed by connect-box');
    const original = JSON.parse(last.before_json) as FileGovernanceState;
    const owner = admin.withAsUserHeader(original.ownerId);
    if (row.before_json === null) await repo.setBoxState(ctx.connectorId, row.id, { before: original });
    const verb = last.kind === 'quarantine' ? 'move it back from quarantine' : 'restore it from the trash';
    const plan = [`${verb} into folder ${original.parentId}`];
    if (row.dry_run === 1)
      return {
        result: 'dry-run',
        outcome: `dry run: would ${plan[0]}`,
        changes: plan,
        ownerId: original.ownerId,
      };
    if (last.kind === 'quarantine')
      await guard(() =>
        api.restoreFromQuarantine(admin, owner, {
          fileId: row.file_id,
          ownerUserId: original.ownerId,
          parentId: original.parentId,
        }),
      );
    else await guard(() => api.restoreFile(owner, row.file_id, original.parentId));
    const after = await guard(() => api.readFileState(owner, row.file_id, domains));
    await repo.setBoxState(ctx.connectorId, row.id, { after });
    return done(plan, original, after);
  }

  async function noteText(ctx: Ctx, state: FileGovernanceState): Promise<string> {
    const connector = await connectors.get(ctx.connectorId);
    const contact = ctx.params.contact ?? connector?.authorized_login ?? 'your Box administrator';
    return [
      `"${state.name}" was moved to quarantine by connect-box on ${new Date().toISOString().slice(0, 10)}:`,
      `it matched the data-protection policy ${ctx.row.policy_id ?? '(manual action)'}.`,
      `To get it back or ask why, contact ${contact}.`,
      '',
    ].join('\n');
  }
}

type Ctx = {
  row: GovernanceActionRow;
  kind: GovernanceActionKind;
  params: GovernanceParams;
  domains: string[];
  admin: BoxClient;
  connectorId: string;
  dataCenter: DataCenter;
};

/**
 * Reads the file as its owner (As-User), else as the admin account when Box does not allow As-User of
 * that owner (a co-admin cannot act as an admin) or the owner is unknown: the client that read it acts.
 */
async function readAsOwner(
  api: typeof box,
  admin: BoxClient,
  row: GovernanceActionRow,
  domains: string[],
): Promise<{ client: BoxClient; state: FileGovernanceState | null }> {
  if (row.owner_id) {
    const owner = admin.withAsUserHeader(row.owner_id);
    try {
      return { client: owner, state: await api.readFileState(owner, row.file_id, domains) };
    } catch (err) {
      if (!isForbidden(err)) throw err;
    }
  }
  return { client: admin, state: await guard(() => api.readFileState(admin, row.file_id, domains)) };
}

function isForbidden(err: unknown): boolean {
  const details =
    err instanceof ApplicationFailure ? (err.details?.[0] as { kind?: string } | undefined) : undefined;
  return details?.kind === 'Forbidden' || (err instanceof ApplicationFailure && err.type === 'BoxForbidden');
}

/** Why the file no longer matches what the finding saw, or undefined when it does. */
function mismatch(row: GovernanceActionRow, state: FileGovernanceState): string | undefined {
  if (row.expected_json === null) return undefined;
  const expected = JSON.parse(row.expected_json) as ExpectedFileState;
  if (state.trashed) return 'the file is in the trash';
  if (expected.sha1 && state.sha1 !== expected.sha1)
    return `the file's content changed since the finding (sha1 ${expected.sha1.slice(0, 8)}… is now ${state.sha1.slice(0, 8)}…)`;
  const access = state.sharedLink?.access ?? null;
  if (access !== expected.sharedLinkAccess)
    return `the file's shared link changed since the finding (${expected.sharedLinkAccess ?? 'none'} is now ${access ?? 'none'})`;
  const now = state.collaborations
    .map((c) => c.login)
    .filter((l): l is string => l !== null)
    .sort();
  const then = expected.collaborators.filter((c) => !c.startsWith('group:'));
  if (JSON.stringify(now) !== JSON.stringify([...then].sort()))
    return `the file's collaborators changed since the finding (${then.join(', ') || 'none'} are now ${now.join(', ') || 'none'})`;
  return undefined;
}

/** What the action does to a file in `before` (still to do on `current`), one line per change. */
function planOf(
  kind: GovernanceActionKind,
  params: GovernanceParams,
  before: FileGovernanceState,
  current: FileGovernanceState | null,
): string[] {
  const link = before.sharedLink;
  const removeCollab = (c: FileGovernanceState['collaborations'][number]) =>
    `remove the collaborator ${c.login ?? c.userId ?? c.id} (${c.role})`;
  switch (kind) {
    case 'remove-shared-link':
      return link ? [`remove the ${link.access} shared link`] : [];
    case 'restrict-shared-link': {
      const to = params.access ?? 'collaborators';
      const order = box.SHARED_LINK_ACCESS_ORDER;
      return link && order.indexOf(link.access) < order.indexOf(to)
        ? [`restrict the shared link from ${link.access} to ${to}`]
        : [];
    }
    case 'set-shared-link-expiry':
      return link
        ? [
            `make the shared link expire${params.days ? ` in ${params.days} days` : ` at ${params.unsharedAt}`}`,
          ]
        : [];
    case 'remove-external-collaborators':
      return before.collaborations.filter((c) => c.external).map(removeCollab);
    case 'remove-collaborator':
      return before.collaborations
        .filter((c) =>
          params.collaborationId ? c.id === params.collaborationId : c.login === params.login?.toLowerCase(),
        )
        .map(removeCollab);
    case 'make-private':
      return [
        ...(link ? [`remove the ${link.access} shared link`] : []),
        ...before.collaborations.map(removeCollab),
      ];
    case 'quarantine':
      return [`move the file from folder ${before.parentId} to the quarantine folder, leaving a note`];
    case 'trash':
      return current === null && before.trashed ? [] : ['move the file to the trash'];
    case 'notify-owner':
      return [`e-mail ${before.ownerLogin}${params.cc?.length ? ` (cc ${params.cc.join(', ')})` : ''}`];
    case 'restore':
      return [];
  }
}

/** The expiry of set-shared-link-expiry: the date given, or `days` after the action was recorded. */
function expiryOf(row: GovernanceActionRow, params: GovernanceParams): string {
  if (params.unsharedAt) return params.unsharedAt;
  return new Date(Date.parse(row.created_at) + (params.days ?? 7) * 86_400_000).toISOString();
}

function noteName(fileName: string): string {
  return `${fileName} - moved to quarantine.txt`.slice(0, 250);
}

async function adminId(admin: BoxClient): Promise<string> {
  return guard(async () => (await admin.users.getUserMe({ fields: ['id'] })).id);
}

/** Runs a Box call; what it throws becomes the activity failure (boxFailure) unless it already is one. */
async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    if (describeBoxError(err).kind !== 'Unknown') throw boxFailure(err);
    throw err;
  }
}
