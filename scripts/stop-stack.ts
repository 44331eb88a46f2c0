/**
 * `npm run stop`: stops the stack recorded in `<DATA_DIR>/stack.lock`, from any terminal. It sends the
 * launcher SIGTERM (the launcher stops its children in order and removes the lock, as on Ctrl-C) and
 * waits; children of a launcher that is gone or does not finish are stopped here (SIGTERM to their
 * process groups, then SIGKILL). Recorded pids are checked against their start time, so a pid that was
 * reused by another program is never signalled.
 */
import { unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/config';
import { signalGroup } from './process-info';
import { describeStack, lockPath, readStackRecord, runningProcesses, type StackRecord } from './stack-lock';

const LAUNCHER_WAIT_MS = 60_000;
const CHILD_GRACE_MS = 8000;

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

function removeLock(dataDir: string, record: StackRecord): void {
  const current = readStackRecord(dataDir);
  if (current === undefined || (current !== 'unreadable' && current.instanceId !== record.instanceId)) return;
  unlinkSync(lockPath(dataDir));
}

async function stopStack(): Promise<number> {
  const dataDir = resolve(loadConfig().dataDir);
  const record = readStackRecord(dataDir);
  if (record === undefined) {
    console.log(`connect-box is not running (no lock in ${dataDir})`);
    return 0;
  }
  if (record === 'unreadable') {
    console.error(
      `${lockPath(dataDir)} is unreadable, so which processes it recorded is unknown: check 'ps' and remove the file`,
    );
    return 1;
  }
  const before = runningProcesses(record);
  if (before.length === 0) {
    removeLock(dataDir, record);
    console.log(`connect-box is not running (removed the stale lock of ${describeStack(record)})`);
    return 0;
  }
  console.log(`stopping connect-box (${describeStack(record)}, data folder ${record.dataDir}) ...`);
  const launcher = before.find((p) => p.name === 'launcher');
  if (launcher) {
    try {
      process.kill(launcher.pid, 'SIGTERM');
    } catch {
      // it ended on its own meanwhile: what it left, if anything, is stopped below
    }
    await until(() => runningProcesses(record).length === 0, LAUNCHER_WAIT_MS);
  }
  let left = runningProcesses(record);
  if (left.length > 0) {
    console.log(
      `${launcher ? 'the launcher did not finish' : 'its launcher is gone'}: stopping ${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')} directly`,
    );
    for (const p of left) if (p.name !== 'launcher') signalGroup(p.pid, 'SIGTERM');
    await until(() => runningProcesses(record).every((p) => p.name === 'launcher'), CHILD_GRACE_MS);
    for (const p of runningProcesses(record))
      if (p.name === 'launcher') process.kill(p.pid, 'SIGKILL');
      else signalGroup(p.pid, 'SIGKILL');
    await until(() => runningProcesses(record).length === 0, 5000);
    left = runningProcesses(record);
  }
  if (left.length > 0) {
    console.error(`could not stop ${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);
    return 1;
  }
  removeLock(dataDir, record);
  console.log(`stopped: ${before.map((p) => `${p.name} (pid ${p.pid})`).join(', ')} ended.`);
  return 0;
}

stopStack().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
