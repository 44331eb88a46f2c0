/**
 * Which files waiting in the priority lane are hot (patch priority-hot-by-activity): a file is fresh when
 * it arrives with no event and no rescan in the last `windowMs`, until a batch takes it or another event of
 * it comes within the window; any other file is hot. A file edited again and again is hot even while it
 * waits, never rescanned yet, in the queue or the store: the first edits of a burst's files stop passing
 * for fresh ones at their second event, and never a burst's file passes for the first edit of another file.
 * Plain workflow state, a hint for the lane's order only, carried across continue-as-new (bounded); times
 * are workflow time.
 */
export class FileHeat {
  /** When each file last had an event, oldest first, within the window. */
  private readonly heard: Map<string, number>;
  /** Files waiting that were fresh when they arrived. */
  private readonly fresh: Set<string>;

  constructor(
    private readonly windowMs: number,
    /** Whether the lane rescanned the file within the window. */
    private readonly rescannedLately: (fileId: string) => boolean,
    carried?: FileHeatState,
  ) {
    this.heard = new Map(carried?.heard);
    this.fresh = new Set(carried?.fresh);
  }

  /**
   * Notes events of files at `now`: each is fresh if neither an event nor a rescan came in the window, and
   * hot otherwise (a waiting fresh file included).
   */
  arrived(fileIds: readonly string[], now: number): void {
    for (const [fileId, at] of this.heard) {
      if (at >= now - this.windowMs) break;
      this.heard.delete(fileId);
    }
    for (const fileId of fileIds) {
      if (!this.heard.has(fileId) && !this.rescannedLately(fileId)) this.fresh.add(fileId);
      else this.fresh.delete(fileId); // a second event within the window: it keeps changing
      this.heard.delete(fileId); // re-inserted last: the map stays in time order
      this.heard.set(fileId, now);
    }
  }

  /** The files a batch took: no longer waiting as fresh arrivals. */
  taken(fileIds: readonly string[]): void {
    for (const fileId of fileIds) this.fresh.delete(fileId);
  }

  /** The files waiting as fresh arrivals, in arrival order (wherever they wait: queue, overflow, store). */
  freshFiles(): IterableIterator<string> {
    return this.fresh.values();
  }

  /** True unless the file waits as a fresh arrival. */
  isHot(fileId: string): boolean {
    return !this.fresh.has(fileId);
  }

  /**
   * The state to carry across continue-as-new: the last HEAT_CARRIED events at most (a burst's files stay
   * hot in the next run; without them every one of its files would pass for fresh once more).
   */
  toJSON(): FileHeatState {
    const heard = [...this.heard].slice(-HEAT_CARRIED);
    return { heard, fresh: [...this.fresh].slice(-HEAT_CARRIED) };
  }
}

/** Events carried across continue-as-new at most (about 40 bytes each in the run's input). */
export const HEAT_CARRIED = 20_000;

/** FileHeat's state across continue-as-new: JSON-safe pairs and ids. */
export interface FileHeatState {
  heard: Array<[string, number]>;
  fresh: string[];
}
