/**
 * npm start's guards on their own, with real sockets, files and processes: the data folder's lock (held,
 * stale, unreadable, released) and the check that a port is held by the process the launcher started.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processGroupOf, processRef } from '../../scripts/process-info';
import { StackLock, lockPath, readStackRecord, type StackRecord } from '../../scripts/stack-lock';
import { checkPortsFree, verifyPortHolder } from '../../scripts/stack-guard';

const linuxOnly = process.platform === 'linux' ? describe : describe.skip; // reads /proc

function record(dataDir: string, launcherPid = process.pid): StackRecord {
  return {
    app: 'connect-box',
    instanceId: `test-${launcherPid}-${Math.random()}`,
    launcher: processRef(launcherPid),
    startedAt: new Date('2026-12-02T06:27:19Z').toISOString(),
    dataDir,
    ports: {},
    children: [],
  };
}

/** The pid of a process that has exited (so its pid is free, or reused by something with another start time). */
function exitedPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

linuxOnly('npm start guards', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cb-guard-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a held lock names the running launcher; releasing it leaves a lock taken since by another alone', async () => {
    const first = await StackLock.acquire(record(dir));
    if (!('taken' in first)) throw new Error('the first start should take the lock');
    expect(first.replaced).toBeUndefined();
    const second = await StackLock.acquire(record(dir));
    expect('heldBy' in second && second.running.map((p) => p.name)).toEqual(['launcher']);

    first.taken.release();
    expect(existsSync(lockPath(dir))).toBe(false);
    const third = await StackLock.acquire(record(dir));
    if (!('taken' in third)) throw new Error('a released lock can be taken');
    first.taken.release(); // an old holder releasing again must not remove the new holder's lock
    expect(existsSync(lockPath(dir))).toBe(true);
  });

  it('a lock whose processes are all gone is taken over and says whose it was', async () => {
    const gone = record(dir, exitedPid());
    writeFileSync(lockPath(dir), JSON.stringify(gone));
    const attempt = await StackLock.acquire(record(dir));
    if (!('taken' in attempt)) throw new Error('a stale lock should be taken over');
    expect(attempt.replaced).toMatchObject({ instanceId: gone.instanceId });
    expect(readStackRecord(dir)).toMatchObject({ launcher: { pid: process.pid } });
  });

  it('a garbled lock file is replaced', async () => {
    writeFileSync(lockPath(dir), '{"app": "connect-b');
    const attempt = await StackLock.acquire(record(dir));
    expect('taken' in attempt && attempt.replaced).toBe('unreadable');
  });

  it('a recorded child is read back, and a gone launcher whose child still runs keeps the lock held', async () => {
    const attempt = await StackLock.acquire(record(dir, exitedPid()));
    if (!('taken' in attempt)) throw new Error('expected the lock');
    attempt.taken.addChild({ name: 'api', ...processRef(process.pid) });
    const again = await StackLock.acquire(record(dir), 300);
    expect('heldBy' in again && again.running.map((p) => `${p.name} ${p.pid}`)).toEqual([
      `api ${process.pid}`,
    ]);
  });

  describe('ports', () => {
    let server: Server;
    let port: number;
    beforeEach(async () => {
      server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterEach(() => new Promise((r) => server.close(r)));

    it('a taken port is named with the pid that holds it', async () => {
      await expect(
        checkPortsFree([{ service: 'API', setting: 'API_PORT', host: '127.0.0.1', port }]),
      ).rejects.toThrow(`port ${port} (API, API_PORT): pid ${process.pid} (`);
    });

    it('a port answered by a process outside the started child is refused, naming that process', () => {
      expect(() => verifyPortHolder('API', port, processGroupOf(process.pid)!)).not.toThrow();
      const other = processGroupOf(process.pid)! + 1;
      expect(() => verifyPortHolder('API', port, other)).toThrow(
        `port ${port} answers, but it is held by pid ${process.pid} (`,
      );
      expect(() => verifyPortHolder('API', port, other)).toThrow(
        `not by the API this launcher started (pid ${other})`,
      );
    });
  });
});
