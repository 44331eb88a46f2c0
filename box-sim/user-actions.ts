/**
 * User actions: what a simulated Box user does to a file (edit, share, preview, move ...). Each action
 * changes the model, appends the admin event Box would log and delivers the webhooks Box would send.
 * (Not to be confused with Temporal activities: these are the Box user's doings the connector observes.)
 */
import { randomUUID } from 'node:crypto';
import {
  COLLAB_ROLES,
  SHARE_ACCESS,
  rootParent,
  type CollabRole,
  type Collaboration,
  type Enterprise,
  type ShareAccess,
  type SimUser,
} from './enterprise';
import { boxErrors } from './errors';
import type { EventLog, SimEvent } from './event-log';
import { idOf } from './ids';
import { boxDate, fileJson, folderJson, folderMini, parentMini, userMini } from './json-shapes';
import type { WebhookDeliverer, WebhookRegistry, WebhookTrigger } from './webhooks';

/** What a user action did. */
export interface UserActionResult {
  readonly fileId: string;
  /** The new file of a copy or upload. */
  readonly newFileId?: string;
  /** Admin events appended (none for a no-op such as re-sharing with the same access). */
  readonly events: ReadonlyArray<{ id: string; type: string }>;
  /** Webhook deliveries started. */
  readonly webhookDeliveries: number;
}

/** Who acts: a user ID or login; the file's owner when omitted. */
export interface AsUser {
  readonly asUser?: string;
}

/** What the user actions need. */
export interface UserActionDeps {
  readonly enterprise: Enterprise;
  readonly events: EventLog;
  readonly webhooks: WebhookRegistry;
  readonly deliverer: WebhookDeliverer;
  readonly now: () => number;
  readonly baseUrl: () => string;
}

/** The user actions behind the control API's file routes, callable directly. */
export class UserActions {
  constructor(
    private readonly deps: UserActionDeps,
    /** The OAuth client the changes are made through (API calls), named in the events' details. */
    private readonly service?: string,
  ) {}

  /** The same actions made through an app, as the API makes them: Box names the app in the event. */
  viaApp(clientId: string): UserActions {
    return new UserActions(this.deps, clientId);
  }

  /** The event details with the app named (`service_id`, `service_name`) when made through one. */
  private detailsOf(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (this.service === undefined) return details;
    return { ...details, service_id: this.service, service_name: this.service };
  }

  private get ent(): Enterprise {
    return this.deps.enterprise;
  }

  private file(fileId: string, allowTrashed = false): number {
    const file = this.ent.fileIndex(fileId);
    if (file === undefined || this.ent.isDeleted(file)) throw boxErrors.notFound('file', fileId);
    if (!allowTrashed && this.ent.isTrashed(file)) throw boxErrors.trashed();
    return file;
  }

  private actor(file: number, asUser: string | undefined): SimUser {
    if (asUser === undefined) return this.ent.users[this.ent.fileOwner(file)]!;
    const user = this.ent.userById(asUser) ?? this.ent.userByLogin(asUser);
    if (!user)
      throw boxErrors.badRequest(`Unknown user '${asUser}': give a user ID or login of the enterprise`);
    if (!this.ent.canAccessFile(user.index, file))
      throw boxErrors.forbidden(`${user.login} has no access to file ${idOf('file', file)}`);
    return user;
  }

  /** A folder the user can access; `0` is the user's own root folder (as in Box, per user). */
  private folder(folderId: string, user: SimUser): number {
    if (folderId === '0') return rootParent(user.index);
    const folder = this.ent.folderIndex(folderId);
    if (folder === undefined) throw boxErrors.notFound('folder', folderId);
    if (!this.ent.canAccessFolder(user.index, folder))
      throw boxErrors.forbidden(`${user.login} has no access to folder ${folderId}`);
    return folder;
  }

  private record(
    file: number,
    actor: SimUser,
    eventType: string | undefined,
    trigger: WebhookTrigger,
    extra: {
      details?: Record<string, unknown>;
      source?: Record<string, unknown>;
      accessibleBy?: SimEvent['accessibleBy'];
      alsoFolders?: number[];
      additionalInfo?: unknown;
    } = {},
  ): UserActionResult {
    const events: Array<{ id: string; type: string }> = [];
    if (eventType) {
      const e = this.deps.events.append(
        {
          type: eventType,
          userIndex: actor.index,
          fileIndex: file,
          fileName: this.ent.fileName(file),
          folderIndex: this.ent.fileParentOf(file),
          ...(this.detailsOf(extra.details) ? { additionalDetails: this.detailsOf(extra.details) } : {}),
          ...(extra.accessibleBy ? { accessibleBy: extra.accessibleBy } : {}),
        },
        this.deps.now(),
      );
      events.push({ id: e.id, type: e.type });
    }
    const folders = new Set([
      ...this.ent.folderChain(this.ent.fileParentOf(file)),
      ...(extra.alsoFolders ?? []),
    ]);
    const targets = [
      { type: 'file' as const, id: idOf('file', file) },
      ...[...folders].map((f) => ({ type: 'folder' as const, id: idOf('folder', f) })),
    ];
    const hooks = this.deps.webhooks.matching(targets, trigger);
    const source = extra.source ?? fileJson(this.ent, file, this.ent.fileOwner(file), this.deps.baseUrl());
    for (const hook of hooks) {
      this.deps.deliverer.deliver(hook, trigger, {
        type: 'webhook_event',
        id: randomUUID(),
        created_at: boxDate(Math.floor(this.deps.now() / 1000)),
        trigger,
        webhook: { id: hook.id, type: 'webhook' },
        created_by: userMini(actor),
        source,
        additional_info: extra.additionalInfo ?? [],
      });
    }
    return { fileId: idOf('file', file), events, webhookDeliveries: hooks.length };
  }

  /** Uploads a new version (generated from the seed, or the given text). */
  edit(fileId: string, input: AsUser & { text?: string } = {}): UserActionResult {
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    this.ent.newVersion(file, this.deps.now(), input.text);
    return this.record(file, actor, 'EDIT', 'FILE.UPLOADED');
  }

  /** Uploads a new file into a folder, or with folder `0` into the root folder of `asUser` (required then). */
  upload(folderId: string, input: AsUser & { name: string; text: string }): UserActionResult {
    const owner = folderId === '0' ? undefined : this.ent.folderIndex(folderId);
    if (folderId === '0' && input.asUser === undefined)
      throw boxErrors.badRequest(
        'an upload to folder 0 needs asUser: folder 0 is the root folder of each user',
      );
    if (folderId !== '0' && owner === undefined) throw boxErrors.notFound('folder', folderId);
    const actor =
      input.asUser === undefined
        ? this.ent.users[this.ent.folderOwnerOf(owner!)]!
        : (this.ent.userById(input.asUser) ?? this.ent.userByLogin(input.asUser));
    if (!actor) throw boxErrors.badRequest(`Unknown user '${input.asUser}'`);
    const folder = this.folder(folderId, actor);
    if (!input.name) throw boxErrors.badRequest('name is required');
    const file = this.ent.createFile(
      folder,
      input.name,
      Buffer.from(input.text ?? '', 'utf8'),
      this.deps.now(),
    );
    const result = this.record(file, actor, 'UPLOAD', 'FILE.UPLOADED');
    return { ...result, newFileId: result.fileId };
  }

  /** Creates, changes or removes (`none`) the shared link. */
  share(fileId: string, input: AsUser & { access: ShareAccess }): UserActionResult {
    if (!(SHARE_ACCESS as readonly string[]).includes(input.access))
      throw boxErrors.badRequest(`access must be one of ${SHARE_ACCESS.join(', ')}`);
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    return this.changeSharedLink(file, actor, input.access);
  }

  /**
   * Sets the shared link's access (`none` removes it) and, when given, its expiry (`unshared_at`, epoch
   * seconds, null = none), as `PUT /files/:id` does. Logs SHARE / ITEM_SHARED_UPDATE / UNSHARE and fires
   * SHARED_LINK.CREATED / UPDATED / DELETED; no change, no event.
   */
  changeSharedLink(
    file: number,
    actor: SimUser,
    access: ShareAccess,
    unsharedAt?: number | null,
  ): UserActionResult {
    const fileId = idOf('file', file);
    const before = this.ent.fileShareAccess(file);
    const expiryBefore = this.ent.shareExpiryOf(file);
    const expiry = access === 'none' ? null : unsharedAt === undefined ? expiryBefore : unsharedAt;
    if (before === access && expiryBefore === expiry) return { fileId, events: [], webhookDeliveries: 0 };
    this.ent.setShare(file, access);
    this.ent.setShareExpiry(file, expiry);
    const details: Record<string, unknown> = { shared_link_access: access, previous_access: before };
    if (expiry !== null) details.unshared_at = boxDate(expiry);
    if (before === 'none') return this.record(file, actor, 'SHARE', 'SHARED_LINK.CREATED', { details });
    if (access === 'none') return this.record(file, actor, 'UNSHARE', 'SHARED_LINK.DELETED', { details });
    return this.record(file, actor, 'ITEM_SHARED_UPDATE', 'SHARED_LINK.UPDATED', { details });
  }

  private collabSource(file: number, collab: Collaboration, status: string): Record<string, unknown> {
    const user = collab.userIndex === undefined ? undefined : this.ent.users[collab.userIndex];
    return {
      type: 'collaboration',
      id: collab.id,
      created_by: userMini(this.ent.users[collab.createdBy]!),
      created_at: boxDate(collab.createdAt),
      modified_at: boxDate(Math.floor(this.deps.now() / 1000)),
      expires_at: null,
      status,
      accessible_by: user
        ? userMini(user)
        : { type: 'user', id: null, name: collab.email, login: collab.email },
      invite_email: user ? null : collab.email,
      role: collab.role,
      acknowledged_at: null,
      item:
        file < 0
          ? null
          : {
              type: 'file',
              id: idOf('file', file),
              name: this.ent.fileName(file),
              parent: parentMini(this.ent, this.ent.fileParentOf(file)),
            },
    };
  }

  /** Invites a collaborator (internal login or external address), or changes the role of one. */
  collaborate(fileId: string, input: AsUser & { email: string; role?: CollabRole }): UserActionResult {
    const role = input.role ?? 'editor';
    if (!(COLLAB_ROLES as readonly string[]).includes(role))
      throw boxErrors.badRequest(`role must be one of ${COLLAB_ROLES.join(', ')}`);
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.email ?? ''))
      throw boxErrors.badRequest('email must be an e-mail address');
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    if (this.ent.users[this.ent.fileOwner(file)]!.login.toLowerCase() === input.email.toLowerCase()) {
      throw boxErrors.badRequest(`${input.email} owns the file and cannot be invited to it`);
    }
    const { collab, created, roleChanged } = this.ent.collaborate(
      file,
      input.email,
      role,
      actor.index,
      this.deps.now(),
    );
    if (!created && !roleChanged) return { fileId, events: [], webhookDeliveries: 0 };
    const accessibleBy = { email: collab.email, userIndex: collab.userIndex };
    const source = this.collabSource(file, collab, collab.userIndex === undefined ? 'pending' : 'accepted');
    const details = { role: collab.role };
    return created
      ? this.record(file, actor, 'COLLABORATION_INVITE', 'COLLABORATION.CREATED', {
          details,
          accessibleBy,
          source,
        })
      : this.record(file, actor, 'COLLABORATION_ROLE_CHANGE', 'COLLABORATION.UPDATED', {
          details,
          accessibleBy,
          source,
        });
  }

  /** Removes a collaborator from a file. */
  uncollaborate(fileId: string, input: AsUser & { email: string }): UserActionResult {
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    const removed = this.ent.removeCollaboration(file, input.email ?? '');
    if (!removed) throw boxErrors.notFound('item', input.email);
    return this.record(file, actor, 'COLLABORATION_REMOVE', 'COLLABORATION.REMOVED', {
      accessibleBy: { email: removed.email, userIndex: removed.userIndex },
      source: this.collabSource(file, removed, 'accepted'),
    });
  }

  /**
   * Removes a collaboration by ID (`DELETE /collaborations/:id`): on a file, COLLABORATION_REMOVE and
   * COLLABORATION.REMOVED for the file and its folders; on a folder, the event names the folder and the
   * webhooks on the folder and above fire.
   */
  removeCollaborationById(collaborationId: string, actor: SimUser): UserActionResult {
    const removed = this.ent.removeCollaborationById(collaborationId);
    if (!removed) throw boxErrors.notFound('item', collaborationId);
    const { kind, index, collab } = removed;
    const accessibleBy = { email: collab.email, userIndex: collab.userIndex };
    if (kind === 'file')
      return this.record(index, actor, 'COLLABORATION_REMOVE', 'COLLABORATION.REMOVED', {
        accessibleBy,
        source: this.collabSource(index, collab, 'accepted'),
      });
    const source = {
      ...this.collabSource(-1, collab, 'accepted'),
      item: folderMini(this.ent, index),
    };
    return this.recordFolder(index, actor, 'COLLABORATION_REMOVE', 'COLLABORATION.REMOVED', source, {
      accessibleBy,
    });
  }

  /**
   * Invites a collaborator on a file or folder (`POST /collaborations`): COLLABORATION_INVITE and
   * COLLABORATION.CREATED. Box answers 400 `user_already_collaborator` when the address already has one.
   */
  addCollaboration(
    item: { kind: 'file' | 'folder'; index: number },
    actor: SimUser,
    email: string,
    role: CollabRole,
  ): UserActionResult & { collaborationId: string } {
    if (item.kind === 'file') {
      const existing = this.ent
        .fileCollaborations(item.index)
        .some((c) => c.email.toLowerCase() === email.toLowerCase());
      if (existing) throw boxErrors.alreadyCollaborator();
      const { collab } = this.ent.collaborate(item.index, email, role, actor.index, this.deps.now());
      const result = this.record(item.index, actor, 'COLLABORATION_INVITE', 'COLLABORATION.CREATED', {
        details: { role: collab.role },
        accessibleBy: { email: collab.email, userIndex: collab.userIndex },
        source: this.collabSource(item.index, collab, 'accepted'),
      });
      return { ...result, collaborationId: collab.id };
    }
    const { collab, created } = this.ent.collaborateOnFolder(
      item.index,
      email,
      role,
      actor.index,
      this.deps.now(),
    );
    if (!created) throw boxErrors.alreadyCollaborator();
    const source = { ...this.collabSource(-1, collab, 'accepted'), item: folderMini(this.ent, item.index) };
    const result = this.recordFolder(
      item.index,
      actor,
      'COLLABORATION_INVITE',
      'COLLABORATION.CREATED',
      source,
      { accessibleBy: { email: collab.email, userIndex: collab.userIndex }, details: { role } },
    );
    return { ...result, collaborationId: collab.id };
  }

  /** Logs an event about a folder and fires the webhooks on it and its ancestors. */
  private recordFolder(
    folder: number,
    actor: SimUser,
    eventType: string,
    trigger: WebhookTrigger,
    source: Record<string, unknown>,
    extra: { details?: Record<string, unknown>; accessibleBy?: SimEvent['accessibleBy'] } = {},
  ): UserActionResult {
    const e = this.deps.events.append(
      {
        type: eventType,
        userIndex: actor.index,
        folderItem: folder,
        ...(this.detailsOf(extra.details) ? { additionalDetails: this.detailsOf(extra.details) } : {}),
        ...(extra.accessibleBy ? { accessibleBy: extra.accessibleBy } : {}),
      },
      this.deps.now(),
    );
    const targets = this.ent
      .folderChain(folder)
      .map((f) => ({ type: 'folder' as const, id: idOf('folder', f) }));
    const hooks = this.deps.webhooks.matching(targets, trigger);
    for (const hook of hooks)
      this.deps.deliverer.deliver(hook, trigger, {
        type: 'webhook_event',
        id: randomUUID(),
        created_at: boxDate(Math.floor(this.deps.now() / 1000)),
        trigger,
        webhook: { id: hook.id, type: 'webhook' },
        created_by: userMini(actor),
        source,
        additional_info: [],
      });
    return { fileId: '', events: [{ id: e.id, type: e.type }], webhookDeliveries: hooks.length };
  }

  /**
   * Creates a folder (`POST /folders`) in a folder or, with -1, the actor's root: Box logs UPLOAD for a
   * new folder as for a file; FOLDER.CREATED fires on the webhooks of the parent and above.
   */
  createFolder(actor: SimUser, parent: number, name: string): { folder: number } & UserActionResult {
    const owner = parent < 0 ? actor.index : this.ent.folderOwnerOf(parent);
    const folder = this.ent.createFolder(owner, parent, name, this.deps.now());
    const result = this.recordFolder(
      folder,
      actor,
      'UPLOAD',
      'FOLDER.CREATED',
      folderJson(this.ent, folder, [
        'type',
        'id',
        'sequence_id',
        'etag',
        'name',
        'created_at',
        'owned_by',
        'parent',
        'path_collection',
        'item_status',
      ]),
    );
    return { ...result, folder };
  }

  /** Uploads a new file as the actor (`POST /files/content`): UPLOAD, FILE.UPLOADED. */
  uploadAs(
    actor: SimUser,
    folder: number,
    name: string,
    content: Buffer,
  ): { file: number } & UserActionResult {
    const file = this.ent.createFile(folder, name, content, this.deps.now());
    return { ...this.record(file, actor, 'UPLOAD', 'FILE.UPLOADED'), file };
  }

  /** Previews the file in the web app. */
  preview(fileId: string, input: AsUser = {}): UserActionResult {
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    this.ent.countShareUse(file, 'previews');
    return this.record(file, actor, 'PREVIEW', 'FILE.PREVIEWED');
  }

  /** Downloads the file in the web app. */
  download(fileId: string, input: AsUser = {}): UserActionResult {
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    this.ent.countShareUse(file, 'downloads');
    return this.record(file, actor, 'DOWNLOAD', 'FILE.DOWNLOADED');
  }

  /** Internal (the download host calls it, with indices): an API download, logged and signalled as Box does. */
  downloadedThroughApi(file: number, userIndex: number, clientId: string): UserActionResult {
    const actor = this.ent.users[userIndex]!;
    return this.record(file, actor, 'DOWNLOAD', 'FILE.DOWNLOADED', {
      details: { service_id: clientId, service_name: clientId },
    });
  }

  /** Renames the file. */
  rename(fileId: string, input: AsUser & { name: string }): UserActionResult {
    if (!input.name || /[/\\]/.test(input.name) || input.name.length > 255)
      throw boxErrors.badRequest('name must be 1-255 characters without slashes');
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    return this.renameAs(file, actor, input.name);
  }

  /** Renames a file as the actor: RENAME, FILE.RENAMED. */
  renameAs(file: number, actor: SimUser, name: string): UserActionResult {
    const oldName = this.ent.fileName(file);
    this.ent.rename(file, name);
    return this.record(file, actor, 'RENAME', 'FILE.RENAMED', { details: { old_name: oldName } });
  }

  /** Moves the file to another folder the actor can access. */
  move(fileId: string, input: AsUser & { folderId: string }): UserActionResult {
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    const folder = this.folder(input.folderId, actor);
    return this.moveAs(file, actor, folder);
  }

  /** Moves a file into a folder (`rootParent(user)`: a root) as the actor: MOVE, FILE.MOVED (old and new place). */
  moveAs(file: number, actor: SimUser, folder: number): UserActionResult {
    const oldParent = this.ent.fileParentOf(file);
    const oldFolders = this.ent.folderChain(oldParent);
    this.ent.move(file, folder);
    return this.record(file, actor, 'MOVE', 'FILE.MOVED', {
      details: { old_parent_id: this.ent.parentId(oldParent) },
      alsoFolders: oldFolders,
      additionalInfo: { old_parent_id: this.ent.parentId(oldParent) },
    });
  }

  /** Copies the file into a folder; the copy is a new file. */
  copy(fileId: string, input: AsUser & { folderId: string; name?: string }): UserActionResult {
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    const folder = this.folder(input.folderId, actor);
    const copy = this.ent.createFile(
      folder,
      input.name ?? `Copy of ${this.ent.fileName(file)}`,
      this.ent.content(file),
      this.deps.now(),
    );
    const result = this.record(copy, actor, 'COPY', 'FILE.COPIED', {
      details: { source_file_id: idOf('file', file) },
    });
    return { ...result, fileId: idOf('file', file), newFileId: idOf('file', copy) };
  }

  /** Moves the file to the trash. */
  trash(fileId: string, input: AsUser = {}): UserActionResult {
    const file = this.file(fileId);
    const actor = this.actor(file, input.asUser);
    return this.trashAs(file, actor);
  }

  /** Moves a file to the trash as the actor: DELETE, FILE.TRASHED. */
  trashAs(file: number, actor: SimUser): UserActionResult {
    this.ent.trash(file);
    return this.record(file, actor, 'DELETE', 'FILE.TRASHED');
  }

  /** Restores the file from the trash. */
  restore(fileId: string, input: AsUser = {}): UserActionResult {
    const file = this.file(fileId, true);
    if (!this.ent.isTrashed(file)) throw boxErrors.notInTrash();
    const actor = this.actor(file, input.asUser);
    return this.restoreAs(file, actor);
  }

  /** Restores a trashed file as the actor, into `folder` when given: UNDELETE, FILE.RESTORED. */
  restoreAs(file: number, actor: SimUser, folder?: number): UserActionResult {
    this.ent.restore(file);
    if (folder !== undefined && folder !== this.ent.fileParentOf(file)) this.ent.move(file, folder);
    return this.record(file, actor, 'UNDELETE', 'FILE.RESTORED');
  }

  /** Deletes the file permanently (from the trash or not). Box logs no admin event the simulator knows for it. */
  delete(fileId: string, input: AsUser = {}): UserActionResult {
    const file = this.file(fileId, true);
    const actor = this.actor(file, input.asUser);
    const source = {
      ...fileJson(this.ent, file, this.ent.fileOwner(file), this.deps.baseUrl()),
      item_status: 'deleted',
    };
    this.ent.purge(file);
    return this.record(file, actor, undefined, 'FILE.DELETED', { source });
  }
}
