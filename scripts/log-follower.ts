/**
 * The launcher's view of its children's logs while the stack runs: the error lines (error and fatal, or
 * ERROR in another program's JSON) that a child writes to its JSON log file are shown in the terminal as text
 * for people (pino-pretty), named by child. The files stay as they are; warnings stay in them only
 * (box-sim warns on every error answer it gives, which the demo provokes on purpose).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { prettyLogLine } from '../telemetry/pretty';

const ERROR_LEVELS = new Set(['error', 'fatal', 50, 60]);

/** True when a log line is a JSON object at level error or above. */
export function isErrorLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return ERROR_LEVELS.has(typeof level === 'string' ? level.toLowerCase() : (level as number));
  } catch {
    return false;
  }
}

/** Follows log files from their current end, passing each new error line, formatted, to `show`. */
export class LogFollower {
  private readonly files: Array<{ name: string; file: string; offset: number; partial: string }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly show: (text: string) => void,
    intervalMs = 500,
  ) {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  /** Starts following `file` (the lines written from now on) under the child's `name`. */
  add(name: string, file: string): void {
    this.files.push({ name, file, offset: sizeOf(file), partial: '' });
  }

  /** Reads what was written since the last poll and shows its error lines. */
  poll(): void {
    for (const f of this.files) {
      const size = sizeOf(f.file);
      if (size < f.offset) f.offset = 0; // truncated or replaced
      if (size === f.offset) continue;
      const chunk = readFrom(f.file, f.offset, size - f.offset);
      f.offset += chunk.length;
      const lines = (f.partial + chunk.toString('utf8')).split('\n');
      f.partial = lines.pop() ?? '';
      for (const line of lines) if (isErrorLine(line)) this.show(`[${f.name}] ${prettyLogLine(line)}`);
    }
  }

  /** Shows what is left to show, then stops following. */
  stop(): void {
    this.poll();
    clearInterval(this.timer);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readFrom(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(length, 1 << 20));
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
