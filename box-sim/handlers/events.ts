/** Enterprise events: GET /2.0/events?stream_type=admin_logs | admin_logs_streaming. */
import { boxErrors } from '../errors';
import { rootOwnerOf } from '../enterprise';
import type { EventLog, SimEvent } from '../event-log';
import { idOf } from '../ids';
import { boxDate, userMini } from '../json-shapes';
import { hash32 } from '../random';
import { parseLimit, queryValue, type ApiContext, type Query } from './context';

const STREAMING_WINDOW_S = 14 * 86_400;

/** The JSON of one admin event. */
export function eventJson(ctx: ApiContext, event: SimEvent): Record<string, unknown> {
  const ent = ctx.enterprise;
  const user = ent.users[event.userIndex]!;
  let source: Record<string, unknown>;
  if (event.folderItem !== undefined) {
    const parent = ent.folderParentOf(event.folderItem);
    source = {
      item_type: 'folder',
      item_id: idOf('folder', event.folderItem),
      item_name: ent.folderName(event.folderItem),
      parent:
        parent < 0
          ? { type: 'folder', name: 'All Files', id: '0' }
          : { type: 'folder', name: ent.folderName(parent), id: idOf('folder', parent) },
      owned_by: userMini(ent.users[ent.folderOwnerOf(event.folderItem)]!),
    };
  } else if (event.fileIndex === undefined) {
    source = userMini(user);
  } else {
    const folder = event.folderIndex ?? ent.fileParentOf(event.fileIndex);
    // A negative parent is the owner's root folder (`0`, "All Files"): Box logs it as the parent too.
    const atRoot = folder < 0;
    source = {
      item_type: 'file',
      item_id: idOf('file', event.fileIndex),
      item_name: event.fileName ?? ent.fileName(event.fileIndex),
      parent: atRoot
        ? { type: 'folder', name: 'All Files', id: '0' }
        : { type: 'folder', name: ent.folderName(folder), id: idOf('folder', folder) },
      owned_by: userMini(ent.users[atRoot ? rootOwnerOf(folder) : ent.folderOwnerOf(folder)]!),
    };
  }
  const collaborator = event.accessibleBy;
  return {
    type: 'event',
    event_id: event.id,
    created_by: userMini(user),
    created_at: boxDate(event.createdAt),
    event_type: event.type,
    ip_address: event.ipAddress,
    session_id: null,
    source,
    additional_details: event.additionalDetails ?? null,
    ...(collaborator
      ? {
          accessible_by:
            collaborator.userIndex !== undefined
              ? userMini(ent.users[collaborator.userIndex]!)
              : { type: 'user', id: null, name: collaborator.email, login: collaborator.email },
        }
      : {}),
  };
}

function parseTime(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw boxErrors.invalidParameter(
      name,
      `Invalid value '${raw}' for ${name}: use RFC 3339, e.g. 2026-01-02T03:04:05+00:00`,
    );
  return Math.floor(ms / 1000);
}

function parsePosition(raw: string | undefined): number | 'now' | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'now') return 'now';
  if (!/^\d+$/.test(raw))
    throw boxErrors.invalidParameter('stream_position', `Invalid value '${raw}' for stream_position`);
  return Number(raw);
}

/** GET /2.0/events: admin events in order; pages can be shorter than the limit while more exist. */
export function getEvents(ctx: ApiContext, query: Query, log: EventLog): Record<string, unknown> {
  const streamType = queryValue(query, 'stream_type') ?? 'all';
  if (streamType !== 'admin_logs' && streamType !== 'admin_logs_streaming') {
    throw boxErrors.invalidParameter(
      'stream_type',
      `box-sim serves only stream_type=admin_logs and admin_logs_streaming, not '${streamType}'`,
    );
  }
  if (!ctx.actingUser.inEnterprise || ctx.actingUser.role === 'user') throw boxErrors.forbidden();
  const limit = parseLimit(ctx, query, 100, 500);
  const types = queryValue(query, 'event_type')?.split(',').filter(Boolean);
  const position = parsePosition(queryValue(query, 'stream_position'));
  const seed = ctx.enterprise.seed;
  const streaming = streamType === 'admin_logs_streaming';

  let start: number;
  let end = log.size;
  if (streaming) {
    if (
      queryValue(query, 'created_after') !== undefined ||
      queryValue(query, 'created_before') !== undefined
    ) {
      if (ctx.strict)
        throw boxErrors.invalidParameter(
          'created_after',
          'admin_logs_streaming does not take created_after / created_before',
        );
    }
    const oldest = log.firstAtOrAfter(Math.floor(ctx.now() / 1000) - STREAMING_WINDOW_S);
    if (position === 'now') return { chunk_size: 0, next_stream_position: log.size, entries: [] };
    start = Math.max(oldest, position ?? 0);
    // Streaming may repeat an event already delivered (Box: "may contain duplicates").
    if (position !== undefined && start > oldest && hash32(seed, 80, start) % 10 === 0) start--;
  } else {
    if (position === 'now')
      throw boxErrors.invalidParameter('stream_position', 'admin_logs does not accept stream_position=now');
    const after = parseTime(queryValue(query, 'created_after'), 'created_after');
    const before = parseTime(queryValue(query, 'created_before'), 'created_before');
    start = Math.max(after === undefined ? 0 : log.firstAtOrAfter(after), position ?? 0);
    if (before !== undefined) end = Math.min(end, log.firstAtOrAfter(before));
  }

  // A page stops early one time in five (Box's pages can be short while more events exist).
  const budget = hash32(seed, 81, start) % 5 === 0 ? 1 + (hash32(seed, 82, start) % limit) : limit;
  const entries: Record<string, unknown>[] = [];
  let next = start;
  while (next < end && entries.length < budget) {
    const event = log.at(next++);
    if (!types || types.includes(event.type)) entries.push(eventJson(ctx, event));
  }
  return { chunk_size: entries.length, next_stream_position: streaming ? next : String(next), entries };
}
