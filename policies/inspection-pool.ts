import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina, queueOptionsSymbol } from 'piscina';
import type { FileToInspect } from './file-to-inspect';
import { inspectFile } from './inspect-file';
import type { InspectionLimits } from './inspection-limits';
import type { InspectionResult } from './inspection-result';
import type { InspectionTask } from './inspection-task';
import type { CompiledPolicySet } from './policy/compile-policy-set';
import { UrgentFirstQueue } from './urgent-first-queue';

/** How the pool is sized. */
export interface InspectionPoolOptions {
  /** Worker threads; default: one per core (`os.availableParallelism()`). 0 inspects in the calling thread. */
  readonly threads?: number;
  /**
   * Linux nice value each thread gives itself (0-19; default 0): higher yields the cores to the rest
   * of the process and machine under load, and still uses every idle cycle. Ignored elsewhere.
   */
  readonly nice?: number;
}

/**
 * A pool of worker threads (piscina) that inspect files, so one worker process keeps every core busy
 * with extraction and detectors while its main thread does I/O. Each thread compiles the policy set
 * from its source once. Limits per file are the caller's (30 MB, 1,000,000 characters by default).
 * Never throws: a thread that dies or a task that fails comes back as a `Failed` inspection with the
 * reason, the file's exposure and metadata policies still evaluated.
 */
export class InspectionPool {
  private readonly pool: Piscina | undefined;

  constructor(options: InspectionPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (threads <= 0) return;
    const runningTypeScript = __filename.endsWith('.ts');
    this.pool = new Piscina({
      filename: join(__dirname, `inspection-worker.${runningTypeScript ? 'ts' : 'js'}`),
      minThreads: threads,
      maxThreads: threads,
      // Source files (tsx, Jest) need tsx's loader in the thread too; the build runs compiled JavaScript.
      ...(runningTypeScript ? { execArgv: ['--import', 'tsx'] } : {}),
      // Every thread holds at most one file (30 MB) and its text: queue the rest in the main thread.
      concurrentTasksPerWorker: 1,
      workerData: { nice: options.nice ?? 0 },
      // The priority lane's files go before the full pass's (inspect's `urgent`).
      taskQueue: new UrgentFirstQueue(),
      // A task no thread could take yet goes back to the front, not the tail: arrival order holds.
      stricterFIFO: true,
    });
  }

  /** Threads in the pool (0 when inspection runs in the calling thread). */
  get threads(): number {
    return this.pool?.maxThreads ?? 0;
  }

  /**
   * Inspects one file in a pool thread (a file without content in the calling thread); the policy set must have been made by loadPolicySet or
   * compilePolicySet. An `urgent` file goes before every waiting file that is not.
   */
  async inspect(
    file: FileToInspect,
    policySet: CompiledPolicySet,
    limits?: Partial<InspectionLimits>,
    urgent = false,
  ): Promise<InspectionResult> {
    // Without content there is nothing to extract: metadata and exposure policies cost less here than the
    // copy to a thread and back.
    if (!this.pool || !policySet.source || file.content === undefined)
      return inspectFile(file, policySet, limits);
    const task: InspectionTask = {
      file,
      policySource: policySet.source,
      policySetVersion: policySet.version,
      ...(limits ? { limits } : {}),
      // Read by the pool's queue; a symbol key does not travel to the thread.
      ...(urgent ? { [queueOptionsSymbol]: { urgent: true } } : {}),
    };
    try {
      return (await this.pool.run(task)) as InspectionResult;
    } catch (error) {
      // A thread's error arrives as "Error: ..." in its message.
      const message = (error instanceof Error ? error.message : String(error)).replace(/^Error: /, '');
      // Metadata-only policies still hold: judge the file without its content here. When that needs
      // no content (too large, unsupported, no content policy) it is the answer; otherwise it failed.
      const judged = await inspectFile({ ...file, content: undefined }, policySet, limits);
      return judged.status === 'Failed'
        ? { ...judged, reason: `the inspection thread failed: ${message}` }
        : judged;
    }
  }

  /** Stops the threads; pending inspections fail. */
  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

let shared: InspectionPool | undefined;
let sharedOptions: InspectionPoolOptions = {};

/**
 * The process's inspection pool, one thread per core, made on first use. Idle threads do not keep the
 * process alive (piscina unrefs them).
 */
export function sharedInspectionPool(): InspectionPool {
  shared ??= new InspectionPool(sharedOptions);
  return shared;
}

/** How the process's shared pool is made (a worker sets it at start); thrown when the pool exists already. */
export function configureSharedInspectionPool(options: InspectionPoolOptions): void {
  if (shared) throw new Error('configureSharedInspectionPool: the shared pool was already made');
  sharedOptions = options;
}
