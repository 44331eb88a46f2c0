/**
 * One stack per data folder: `npm start` records itself in `<data>/stack.lock` (launcher pid, child pids,
 * ports, start time, instance id) before it starts anything, and removes the file when it stops. A lock
 * whose processes are all gone (the launcher was killed) is stale and is taken over.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRunning, type ProcessRef } from './process-info';

/** What a lock file records about the stack that holds it. */
export interface StackRecord {
  app: 'connect-box';
  instanceId: string;
  launcher: ProcessRef;
  startedAt: string;
  dataDir: string;
  ports: Record<string, number>;
  children: Array<ProcessRef & { name: string }>;
}

/** The outcome of trying to take a data folder's lock. */
export type LockAttempt =
  | { taken: StackLock; replaced?: StackRecord | 'unreadable' }
  | { heldBy: StackRecord; running: Array<ProcessRef & { name: string }> };

/** The lock file of a data folder. */
export function lockPath(dataDir: string): string {
  return join(dataDir, 'stack.lock');
}

/** The record in a data folder's lock file; undefined when there is none, 'unreadable' when it is garbled. */
export function readStackRecord(dataDir: string): StackRecord | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const record = JSON.parse(text) as StackRecord;
    return record.app === 'connect-box' && typeof record.launcher?.pid === 'number' ? record : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** The processes of a record that still run: the launcher first, then its children. */
export function runningProcesses(record: StackRecord): Array<ProcessRef & { name: string }> {
  return [{ name: 'launcher', ...record.launcher }, ...record.children].filter(isRunning);
}

/** "pid 123, started 2026-12-02 06:30:12 UTC" */
export function describeStack(record: StackRecord): string {
  const started = new Date(record.startedAt).toISOString().replace('T', ' ').slice(0, 19);
  return `pid ${record.launcher.pid}, started ${started} UTC`;
}

/** A held lock: updated as children start, released when the stack has stopped. */
export class StackLock {
  private constructor(
    readonly path: string,
    private record: StackRecord,
  ) {}

  /**
   * Takes the data folder's lock for `record`, or reports who holds it. A stale lock is replaced (the
   * attempt says so); when the earlier launcher is gone but children of it still run, they are given
   * `settleMs` to notice (they stop when their launcher is gone) before the lock counts as held.
   */
  static async acquire(
    record: StackRecord,
    settleMs = 15_000,
    onSettle: (running: Array<ProcessRef & { name: string }>) => void = () => undefined,
  ): Promise<LockAttempt> {
    mkdirSync(record.dataDir, { recursive: true });
    const path = lockPath(record.dataDir);
    let replaced: StackRecord | 'unreadable' | undefined;
    // Two attempts: a stale lock is removed between them; losing the second race means another start won.
    for (let attempt = 0; attempt < 2; attempt++) {
      // The whole record appears at once (link fails if the lock exists), so a reader never sees half of it.
      const temp = writeTemp(path, record);
      try {
        linkSync(temp, path);
        return { taken: new StackLock(path, record), ...(replaced && { replaced }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        unlinkSync(temp);
      }
      const held = readStackRecord(record.dataDir);
      replaced = held;
      if (held === undefined) continue; // released meanwhile
      if (held !== 'unreadable') {
        let running = runningProcesses(held);
        const deadline = Date.now() + settleMs;
        if (running.length > 0 && !running.some((p) => p.name === 'launcher')) onSettle(running);
        while (running.length > 0 && !running.some((p) => p.name === 'launcher') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          running = runningProcesses(held);
        }
        if (running.length > 0) return { heldBy: held, running };
      }
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const winner = readStackRecord(record.dataDir);
    if (winner && winner !== 'unreadable') return { heldBy: winner, running: runningProcesses(winner) };
    throw new Error(`could not take the lock ${path}: another start keeps replacing it`);
  }

  /**
   * Records a started child (atomically: a reader never sees half a file); a child started again under
   * the same name (the dev server's second start) replaces the first.
   */
  addChild(child: ProcessRef & { name: string }): void {
    const others = this.record.children.filter((c) => c.name !== child.name);
    this.record = { ...this.record, children: [...others, child] };
    renameSync(writeTemp(this.path, this.record), this.path);
  }

  /** Removes the lock file if it is still this stack's. */
  release(): void {
    const current = readStackRecord(this.record.dataDir);
    if (current && current !== 'unreadable' && current.instanceId !== this.record.instanceId) return;
    try {
      unlinkSync(this.path);
    } catch {
      // already removed
    }
  }
}

function writeTemp(path: string, record: StackRecord): string {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(record, null, 2) + '\n', { mode: 0o644 });
  return temp;
}
