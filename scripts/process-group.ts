import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as nodeModule from 'node:module';
import { LAUNCHER_PIPE_ENV } from './launcher-watchdog';
import { processRef, signalGroup, type ProcessRef } from './process-info';
import { prettyLogLine } from '../telemetry/pretty';

/** Thrown when a child process of the stack exits before it was asked to. */
export class ChildExitedError extends Error {
  constructor(
    readonly processName: string,
    readonly code: number | null,
    readonly logFile: string,
  ) {
    const tail = lastLines(logFile, 8);
    super(
      `${processName} exited unexpectedly (code ${code}); see ${logFile}` +
        (tail ? `; its last lines:\n${tail}` : ''),
    );
  }
}

/**
 * The last `count` non-blank lines of a log file, indented, at most 2,000 characters ('' when none). The
 * JSON lines are shown as text for people (pino-pretty), without colours: the message goes to the
 * terminal and to dev-stack.log alike.
 */
function lastLines(file: string, count: number): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').slice(-16_384);
  } catch {
    return '';
  }
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-count);
  return lines
    .map((l) => `    ${prettyLogLine(l)}`)
    .join('\n')
    .slice(-2000);
}

/** Thrown when a child is started after the stack began to stop (a start-up step that lost the race). */
export class StackStoppingError extends Error {
  constructor(readonly processName: string) {
    super(`not starting ${processName}: the stack is stopping`);
  }
}

/** One started child: its pid (also its process group) and a promise that rejects if it dies on its own. */
export interface StartedChild extends ProcessRef {
  name: string;
  logFile: string;
  failed: Promise<never>;
}

/**
 * Node with tsx's loader, without tsx's CLI process in between: that CLI relays signals and SIGKILLs a
 * child that does not acknowledge one within 30 ms, which on a busy machine cut shutdowns short.
 */
export function nodeWithTsx(script: string, args: string[] = []): [string, string[]] {
  const loader = pathToFileURL(require.resolve('tsx')).href;
  // module.register (Node >= 20.6) takes --import; older Node 20 needs --loader.
  const flag =
    typeof (nodeModule as { register?: unknown }).register === 'function' ? '--import' : '--loader';
  return [process.execPath, [flag, loader, script, ...args]];
}

const REAPER = join(__dirname, 'reaper.ts');

/**
 * The processes of the dev stack. Each child runs in a session and process group of its own (so a
 * terminal's Ctrl-C or hang-up reaches only the launcher, which stops them in order), writes to
 * <logDir>/<name>.log directly (its log survives the launcher), and holds a pipe from the launcher as
 * stdin whose end tells it that the launcher is gone (see launcher-watchdog.ts). stopAll() waits until
 * every group is gone, so no process is left behind.
 */
export class ProcessGroup {
  private readonly children: Array<{ name: string; child: ChildProcess; exited: Promise<void> }> = [];
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onStart: (child: ProcessRef & { name: string }) => void = () => undefined,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Starts a TypeScript entry point of this repo (it calls stopWithLauncher itself). */
  startScript(name: string, script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): StartedChild {
    const [command, argv] = nodeWithTsx(script, args);
    return this.start(name, command, argv, env);
  }

  /** Starts a program that cannot watch the launcher itself, under reaper.ts. */
  startProgram(name: string, program: string, args: string[]): StartedChild {
    const [command, argv] = nodeWithTsx(REAPER, [program, ...args]);
    return this.start(name, command, argv);
  }

  private start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): StartedChild {
    if (this.stopping) throw new StackStoppingError(name);
    const logFile = join(this.logDir, `${name}.log`);
    const log = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        env: { ...this.env, ...env, [LAUNCHER_PIPE_ENV]: 'stdin' },
        detached: true,
        stdio: ['pipe', log, log],
      });
    } finally {
      closeSync(log); // the child holds its own copy
    }
    // Never written to; an error on it (the child is gone) must not crash the launcher.
    child.stdin?.on('error', () => undefined);
    let onFail: (e: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (onFail = reject));
    failed.catch(() => undefined);
    child.once('error', (err) => onFail(new Error(`${name} could not start: ${err.message}`)));
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        if (!this.stopping) onFail(new ChildExitedError(name, code, logFile));
        resolve();
      }),
    );
    this.children.push({ name, child, exited });
    if (child.pid === undefined) return { name, pid: -1, logFile, failed };
    const ref = processRef(child.pid);
    this.onStart({ name, ...ref });
    return { name, ...ref, logFile, failed };
  }

  /**
   * Stops the children, last started first: SIGTERM to each child (its own shutdown runs; reaper.ts
   * passes it on), SIGKILL to its whole group after `graceMs`; then SIGKILL to what is left of the group.
   * Resolves when every group is gone, with the names of those that had to be killed.
   */
  async stopAll(graceMs = 8000): Promise<string[]> {
    this.stopping = true;
    const killed: string[] = [];
    for (const { name, child, exited } of [...this.children].reverse()) {
      const pid = child.pid;
      if (pid === undefined) continue;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          killed.push(name);
          signalGroup(pid, 'SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      signalGroup(pid, 'SIGKILL'); // what the child left behind in its group
      for (let i = 0; i < 100 && signalGroup(pid, 0); i++) await new Promise((r) => setTimeout(r, 50));
    }
    return killed;
  }

  /** Names and pids of the children whose process group still has a member. */
  leftovers(): Array<{ name: string; pid: number }> {
    return this.children
      .filter(({ child }) => child.pid !== undefined && signalGroup(child.pid, 0))
      .map(({ name, child }) => ({ name, pid: child.pid! }));
  }
}
