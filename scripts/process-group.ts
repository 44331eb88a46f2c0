import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when a child process of the stack exits before it was asked to. */
export class ChildExitedError extends Error {
  constructor(
    readonly processName: string,
    readonly code: number | null,
    readonly logFile: string,
  ) {
    super(`${processName} exited unexpectedly (code ${code}); see ${logFile}`);
  }
}

/**
 * The processes of the dev stack. Each child runs in its own process group so that stopping it also
 * stops what it spawned (tsx runs node underneath); stopAll() waits until every group is gone, so Ctrl-C
 * leaves no orphans.
 */
export class ProcessGroup {
  private readonly children: Array<{ name: string; child: ChildProcess; exited: Promise<void> }> = [];
  private stopping = false;

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Starts a child whose output goes to <logDir>/<name>.log; rejects `failed` if it dies on its own. */
  start(
    name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): { logFile: string; failed: Promise<never> } {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    let onFail: (e: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (onFail = reject));
    failed.catch(() => undefined);
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        if (!this.stopping) onFail(new ChildExitedError(name, code, logFile));
        resolve();
      }),
    );
    this.children.push({ name, child, exited });
    return { logFile, failed };
  }

  /** SIGTERM to every group (last started first), SIGKILL after a grace period; resolves when all are gone. */
  async stopAll(graceMs = 8000): Promise<void> {
    this.stopping = true;
    for (const { child, exited } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup(child.pid, 'SIGKILL'); // grandchildren that ignored SIGTERM
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
