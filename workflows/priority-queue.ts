import type { FileEvent } from '../domain/file-event';

/**
 * The scan's priority lane in workflow state: files with fresh events, deduplicated by file id, at most
 * `limit` of them (so state stays bounded whatever arrives). What does not fit waits in `overflow` until an
 * activity moves it to the store; nothing is ever dropped. Plain arrays: JSON-safe across continue-as-new.
 */
export class PriorityQueue {
  constructor(
    readonly limit: number,
    public queued: FileEvent[] = [],
    public overflow: FileEvent[] = [],
    /** How many files the store holds for this connector's overflow. */
    public stored = 0,
  ) {}

  /**
   * Adds files; a file already queued keeps its place and takes the newest activity. With `isRecent`
   * (the lane's fresh-first order), a file that was not rescanned recently finds room in a full queue:
   * the last recently rescanned file queued moves to the overflow instead (nothing is dropped).
   */
  add(files: readonly FileEvent[], isRecent?: (fileId: string) => boolean): void {
    for (const file of files) {
      const at = this.queued.findIndex((q) => q.fileId === file.fileId);
      if (at >= 0) this.queued[at] = file;
      else if (this.queued.length < this.limit) this.queued.push(file);
      else if (isRecent && !isRecent(file.fileId)) {
        const hot = this.queued.findLastIndex((q) => isRecent(q.fileId));
        if (hot < 0) this.overflow.push(file);
        else {
          this.overflow.push(this.queued[hot]!);
          this.queued.splice(hot, 1);
          this.queued.push(file);
        }
      } else this.overflow.push(file);
    }
  }

  /** Takes up to `n` files from the front. */
  take(n: number): FileEvent[] {
    return this.queued.splice(0, n);
  }

  /**
   * Takes up to `n` files from the front, passing over those in `busy` (being scanned): they keep their
   * place (and their newest activity) until they are no longer busy.
   */
  takeExcept(
    n: number,
    busy: ReadonlySet<string>,
    only: (fileId: string) => boolean = () => true,
  ): FileEvent[] {
    const taken: FileEvent[] = [];
    const kept: FileEvent[] = [];
    for (const file of this.queued)
      if (taken.length < n && !busy.has(file.fileId) && only(file.fileId)) taken.push(file);
      else kept.push(file);
    this.queued = kept;
    return taken;
  }

  /** How many queued files are not in `busy` (and pass `only`). */
  countExcept(busy: ReadonlySet<string>, only: (fileId: string) => boolean = () => true): number {
    let n = 0;
    for (const file of this.queued) if (!busy.has(file.fileId) && only(file.fileId)) n++;
    return n;
  }

  /** True when anything waits, in state or in the store. */
  get pending(): boolean {
    return this.queued.length > 0 || this.overflow.length > 0 || this.stored > 0;
  }

  /** Files waiting in state and in the store. */
  get length(): number {
    return this.queued.length + this.overflow.length + this.stored;
  }

  /** The state to carry across continue-as-new. */
  toJSON() {
    return { queued: this.queued, overflow: this.overflow, stored: this.stored };
  }
}
