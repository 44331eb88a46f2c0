/**
 * The enterprise event log (admin_logs): ten days of history generated on demand from the seed (event i
 * is a pure function of i, and times grow with i), followed by the events the user actions append.
 */
import type { Enterprise } from './enterprise';
import { hash32, hashUnit, hashUuid } from './random';

/** Event types the history generator produces, with their weights. */
export const HISTORY_EVENT_TYPES = [
  ['UPLOAD', 0.12],
  ['EDIT', 0.1],
  ['PREVIEW', 0.2],
  ['DOWNLOAD', 0.13],
  ['ITEM_OPEN', 0.05],
  ['SHARE', 0.04],
  ['ITEM_SHARED_UPDATE', 0.02],
  ['UNSHARE', 0.02],
  ['COLLABORATION_INVITE', 0.03],
  ['DELETE', 0.03],
  ['UNDELETE', 0.01],
  ['RENAME', 0.03],
  ['MOVE', 0.03],
  ['COPY', 0.02],
  ['LOGIN', 0.17],
] as const;

/** History event types that are sometimes about a folder rather than a file. */
const FOLDER_EVENT_TYPES: ReadonlySet<string> = new Set([
  'SHARE',
  'ITEM_SHARED_UPDATE',
  'UNSHARE',
  'COLLABORATION_INVITE',
  'RENAME',
  'MOVE',
  'COPY',
  'DELETE',
  'UNDELETE',
]);

/** One entry of the log. */
export interface SimEvent {
  readonly position: number;
  readonly id: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  readonly type: string;
  readonly userIndex: number;
  readonly fileIndex?: number;
  /** The folder an event is about (folder events: sharing, collaboration, rename ... of a folder). */
  readonly folderItem?: number;
  /** Name of the file when the event happened (defaults to its current name). */
  readonly fileName?: string;
  /** Parent folder when the event happened (defaults to the current one; negative: the owner's root). */
  readonly folderIndex?: number;
  readonly ipAddress: string;
  readonly additionalDetails?: Record<string, unknown>;
  /** The collaborator of a collaboration event. */
  readonly accessibleBy?: { email: string; userIndex: number | undefined };
}

/** Span of the generated history. */
export const HISTORY_DAYS = 10;

/** The log: generated history plus appended live events. */
export class EventLog {
  private readonly live: SimEvent[] = [];
  private readonly start: number;
  private readonly span: number;

  constructor(
    private readonly enterprise: Enterprise,
    private readonly seed: number,
    /** Number of generated history events over the ten days. */
    readonly historyCount: number,
    nowMs: number,
  ) {
    this.span = HISTORY_DAYS * 86_400;
    this.start = Math.floor(nowMs / 1000) - this.span;
  }

  /** Number of events (history and live). */
  get size(): number {
    return this.historyCount + this.live.length;
  }

  /** Time of the event at a position, epoch seconds. */
  timeAt(position: number): number {
    if (position < this.historyCount) {
      const slot = (position + 0.5 * hashUnit(this.seed, 60, position)) / this.historyCount;
      return this.start + Math.floor(slot * this.span);
    }
    return this.live[position - this.historyCount]!.createdAt;
  }

  /** The event at a position. */
  at(position: number): SimEvent {
    if (position >= this.historyCount) return this.live[position - this.historyCount]!;
    const seed = this.seed;
    let u = hashUnit(seed, 61, position);
    let type: string = 'LOGIN';
    for (const [t, w] of HISTORY_EVENT_TYPES) {
      if (u < w) {
        type = t;
        break;
      }
      u -= w;
    }
    const users = this.enterprise.managedUsers.length;
    const files = this.enterprise.baseFileCount;
    const ip = `10.${hash32(seed, 62, position) % 256}.${hash32(seed, 63, position) % 256}.${1 + (hash32(seed, 64, position) % 254)}`;
    const id = hashUuid(seed, 65, position);
    const createdAt = this.timeAt(position);
    if (type === 'LOGIN' || files === 0) {
      return {
        position,
        id,
        createdAt,
        type: 'LOGIN',
        userIndex: hash32(seed, 66, position) % users,
        ipAddress: ip,
      };
    }
    if (FOLDER_EVENT_TYPES.has(type) && hashUnit(seed, 72, position) < 0.15) {
      const folderItem = hash32(seed, 73, position) % this.enterprise.folderCount;
      const folderOwner = this.enterprise.folderOwnerOf(folderItem);
      const event: SimEvent = {
        position,
        id,
        createdAt,
        type,
        userIndex: folderOwner,
        folderItem,
        ipAddress: ip,
      };
      if (type !== 'COLLABORATION_INVITE') return event;
      const other = (folderOwner + 1 + (hash32(seed, 70, position) % Math.max(1, users - 1))) % users;
      return {
        ...event,
        accessibleBy: { email: this.enterprise.users[other]!.login, userIndex: other },
        additionalDetails: { role: 'Editor' },
      };
    }
    const fileIndex = hash32(seed, 67, position) % files;
    const owner = this.enterprise.fileOwner(fileIndex);
    const userIndex = hashUnit(seed, 68, position) < 0.7 ? owner : hash32(seed, 69, position) % users;
    const event: SimEvent = { position, id, createdAt, type, userIndex, fileIndex, ipAddress: ip };
    if (type === 'COLLABORATION_INVITE') {
      const other = (owner + 1 + (hash32(seed, 70, position) % Math.max(1, users - 1))) % users;
      return {
        ...event,
        accessibleBy: { email: this.enterprise.users[other]!.login, userIndex: other },
        additionalDetails: { role: 'Editor' },
      };
    }
    return event;
  }

  /** Appends a live event at `nowMs` (never earlier than the last event). */
  append(
    event: Omit<SimEvent, 'position' | 'id' | 'createdAt' | 'ipAddress'> & { ipAddress?: string },
    nowMs: number,
  ): SimEvent {
    const position = this.size;
    const last = position > 0 ? this.timeAt(position - 1) : 0;
    const full: SimEvent = {
      ...event,
      position,
      id: hashUuid(this.seed, 71, position),
      createdAt: Math.max(last, Math.floor(nowMs / 1000)),
      ipAddress: event.ipAddress ?? '10.0.0.42',
    };
    this.live.push(full);
    return full;
  }

  /** First position whose time is >= t (epoch seconds); `size` if none. */
  firstAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
