import { Context, log } from '@temporalio/activity';
import type { BoxClientPool } from '../box/box-client-pool';
import { boxFailure } from '../box/box-failure';
import { PRIORITY_KINDS, type FileEvent } from '../domain/file-event';
import type { EventLogRepository, NewEvent } from '../store/event-log-repository';
import type { EventStreamActivities } from '../workflows/enterprise-events-activities';
import { EVENT_PAGE_LIMIT, toActivity } from './event-log-activities';
import { withKeepalive } from './keepalive';
import { eventLagSeconds } from '../telemetry/metrics';

/** What the event-stream activity needs. */
export interface EventStreamDeps {
  clients: BoxClientPool;
  eventLog: EventLogRepository;
  /** Bounds of one readEventStream call (tests shrink them). */
  budget?: Partial<EventStreamBudget>;
}

/** One readEventStream call returns after whichever comes first. */
export interface EventStreamBudget {
  /** Pages read. */
  maxPages: number;
  /** Files waiting to be signalled (they travel in one `prioritize` signal: keep it far below 2 MB). */
  maxFiles: number;
}

/** 20 pages (10,000 events) or 500 files: a few seconds of work, one signal of about 100 KB at most. */
export const DEFAULT_EVENT_STREAM_BUDGET: EventStreamBudget = { maxPages: 20, maxFiles: 500 };

/** Event ids handed back for the next read: Box repeats at most the last events of the previous page. */
export const RECENT_EVENT_IDS_KEPT = 100;

/** The activities of enterpriseEvents. */
export function createEventStreamActivities(deps: EventStreamDeps): EventStreamActivities {
  const budget = { ...DEFAULT_EVENT_STREAM_BUDGET, ...deps.budget };
  return {
    async readEventStream(input) {
      const ctx = Context.current();
      const client = deps.clients.get(input.connectorId, input.dataCenter);
      const getPage = async (streamPosition: string) => {
        try {
          const events = await client.events.getEvents(
            { streamType: 'admin_logs_streaming', limit: EVENT_PAGE_LIMIT, streamPosition },
            undefined,
            ctx.cancellationSignal,
          );
          return streamPage(events.rawData, events.nextStreamPosition, streamPosition);
        } catch (err) {
          throw ctx.cancellationSignal.aborted ? ctx.cancellationSignal.reason : boxFailure(err);
        }
      };
      const recent = new Set(input.recentEventIds);
      const recentOrder = [...input.recentEventIds];
      const files = new Map<string, FileEvent>();
      const result = { read: 0, recorded: 0, webhookDuplicates: 0 };

      if (input.streamPosition === undefined) {
        // The stream starts where Box is now: what came before is the backfill's and the full scan's.
        const now = await getPage('now');
        eventLagSeconds.set({ connector: input.connectorId, stream: 'event-stream' }, 0);
        return { ...result, nextStreamPosition: now.next, files: [], recentEventIds: [], caughtUp: true };
      }
      let position = input.streamPosition;
      let caughtUp = false;
      let newest = Number.NEGATIVE_INFINITY;
      // A slow page (request timeout and Box's retries) must not outlast the heartbeat timeout.
      await withKeepalive(
        ctx,
        () => ({ position }),
        async () => {
          for (let pages = 0; pages < budget.maxPages && files.size < budget.maxFiles; pages++) {
            const page = await getPage(position);
            const readable = page.entries.map(toActivity).filter((e): e is NewEvent => e !== undefined);
            const events = readable
              .filter((e) => !recent.has(e.eventId))
              .map((e): NewEvent => ({ ...e, source: 'event-stream' }));
            const unreadable = page.entries.length - readable.length;
            if (unreadable > 0)
              log.warn('skipped Box events without an id, type or valid time', { unreadable });
            const outcomes = await deps.eventLog.recordStreamEvents(input.connectorId, events);
            for (const e of readable) newest = Math.max(newest, Date.parse(e.occurredAt));
            events.forEach((e, i) => {
              if (recent.has(e.eventId)) return; // repeated within this read
              recent.add(e.eventId);
              recentOrder.push(e.eventId);
              result.read++;
              if (outcomes[i] === 'new') result.recorded++;
              if (outcomes[i] === 'webhook-duplicate') result.webhookDuplicates++;
              else {
                const file = fileEventOf(e);
                if (file) files.set(file.fileId, file);
              }
            });
            position = page.next;
            ctx.heartbeat({ position });
            if (events.length === 0 || page.next === page.sent) {
              caughtUp = true;
              break;
            }
          }
        },
      );
      // Caught up: nothing is waiting at Box. Otherwise: how old the newest event read is.
      const lag = caughtUp || !Number.isFinite(newest) ? 0 : Math.max(0, Date.now() - newest) / 1000;
      eventLagSeconds.set({ connector: input.connectorId, stream: 'event-stream' }, lag);
      return {
        ...result,
        nextStreamPosition: position,
        files: [...files.values()],
        recentEventIds: recentOrder.slice(-RECENT_EVENT_IDS_KEPT),
        caughtUp,
      };
    },
  };
}

/** The file event the scan cares about (content, sharing, metadata, delete), or undefined. */
function fileEventOf(e: NewEvent): FileEvent | undefined {
  const { kind, fileId } = e;
  if (!kind || !fileId || !(PRIORITY_KINDS.includes(kind) || kind === 'delete')) return undefined;
  const ownerId = ownerIdOf(e.rawJson);
  return {
    fileId,
    ...(ownerId && { ownerId }),
    kind,
    eventType: e.eventType,
    occurredAt: new Date(Date.parse(e.occurredAt)).toISOString(),
    source: 'event-stream',
  };
}

function ownerIdOf(rawJson: string): string | undefined {
  const entry = JSON.parse(rawJson) as { source?: { owned_by?: { id?: unknown } } };
  const id = entry.source?.owned_by?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** A stream page: entries as Box sent them and the next position as text (Box sends a number or a string). */
function streamPage(rawData: unknown, nextStreamPosition: string | number | undefined, sent: string) {
  const raw = typeof rawData === 'object' && rawData !== null ? (rawData as Record<string, unknown>) : {};
  const entries = Array.isArray(raw.entries) ? (raw.entries as unknown[]) : [];
  const next = raw.next_stream_position ?? nextStreamPosition;
  // Without a next position, stay where we are: the next read asks again from there.
  return { entries, sent, next: typeof next === 'string' || typeof next === 'number' ? String(next) : sent };
}
