/**
 * The scan's Prometheus series (telemetry/metrics.ts), counted where the scan activities commit their work:
 * what a scrape shows was stored, never merely attempted.
 */
import type { FileEvent } from '../domain/file-event';
import type { FindingRow } from '../store/findings-repository';
import type { PageCounts } from '../store/scan-work-repository';
import {
  fileEventToResultSeconds,
  filesJudged,
  filesWalked,
  findingsOpened,
  scanPassSeconds,
} from '../telemetry/metrics';

/** Counts one committed page of judged files: walked, inspected or unchanged, and the findings it opened. */
export function countJudged(
  lane: 'scan' | 'priority',
  counts: PageCounts,
  opened: readonly FindingRow[],
): void {
  if (lane === 'scan') filesWalked.inc(counts.filesSeen);
  filesJudged.inc({ lane, result: 'inspected' }, counts.inspected);
  filesJudged.inc({ lane, result: 'unchanged' }, counts.skippedUnchanged);
  for (const f of opened) findingsOpened.inc({ policy: f.policy_id, severity: f.severity });
}

/** Observes, for each file event whose rescan result was stored at `storedAt`, how long after the event. */
export function observeEventToResult(events: Iterable<FileEvent>, storedAt: number): void {
  for (const e of events) {
    const at = Date.parse(e.occurredAt);
    // Box's clock may run a little ahead of ours: never a negative latency.
    if (!Number.isNaN(at))
      fileEventToResultSeconds.observe({ source: e.source }, Math.max(0, storedAt - at) / 1000);
  }
}

/** Observes a full pass that just completed. */
export function observePassCompleted(startedAt: string, completedAt: string): void {
  const seconds = (Date.parse(completedAt) - Date.parse(startedAt)) / 1000;
  if (Number.isFinite(seconds) && seconds >= 0) scanPassSeconds.observe(seconds);
}
