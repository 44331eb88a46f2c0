import type { TaskQueue } from 'piscina';
import { queueOptionsSymbol } from 'piscina';

/** A task as piscina queues it. */
type Task = Parameters<TaskQueue['push']>[0];

/** The queue options a task carries to go first (under piscina's queueOptionsSymbol). */
export interface UrgentQueueOptions {
  readonly urgent?: boolean;
}

/**
 * The inspection pool's queue: urgent tasks (the priority lane's rescans of files just edited) before
 * every other waiting task (the full pass's), each kind in arrival order. Without it an edited file's
 * inspection would wait behind every file the walk had queued.
 */
export class UrgentFirstQueue implements TaskQueue {
  private readonly urgent: Task[] = [];
  private readonly normal: Task[] = [];

  /** Waiting tasks of both kinds. */
  get size(): number {
    return this.urgent.length + this.normal.length;
  }

  /** Adds a task behind the others of its kind. */
  push(task: Task): void {
    (isUrgent(task) ? this.urgent : this.normal).push(task);
  }

  /** Puts a task back in front of the others of its kind. */
  unshift(task: Task): void {
    (isUrgent(task) ? this.urgent : this.normal).unshift(task);
  }

  /** The next task: the oldest urgent one, else the oldest other one. */
  shift(): Task | null {
    return this.urgent.shift() ?? this.normal.shift() ?? null;
  }

  /** Drops a task that was aborted while waiting. */
  remove(task: Task): void {
    for (const list of [this.urgent, this.normal]) {
      const at = list.indexOf(task);
      if (at >= 0) {
        list.splice(at, 1);
        return;
      }
    }
  }
}

function isUrgent(task: Task): boolean {
  return (task[queueOptionsSymbol] as UrgentQueueOptions | null)?.urgent === true;
}
