/**
 * `npm start` owns its processes (issue 17), with real processes: each scenario runs the real command in
 * its own data folder on ports nobody else uses, and afterwards checks by pid that no process of the
 * stack is left. A process belongs to a stack when its environment names that stack's lock file (the
 * launcher puts it there; the Temporal CLI under its reaper inherits it too).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eventually } from '../helpers/eventually';
import { freePorts } from '../helpers/free-ports';

const root = join(__dirname, '..', '..');
const START = 'npm start -- --no-demo --files 10';
const UP = 'Press Ctrl-C to stop everything.';
const linuxOnly = process.platform === 'linux' ? describe : describe.skip; // reads /proc

interface Stack {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  ports: { temporal: number; ui: number; api: number; sim: number; metrics: number };
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** What this run's launcher wrote to dev-stack.log (the log is appended to across runs). */
  log: () => string;
}

const dirs: string[] = [];
const recordedPids = new Set<number>();
const recordedGroups = new Set<number>();

async function newStack(dataDir?: string): Promise<Stack> {
  const [temporal, ui, api, sim, metrics] = (await freePorts(5)) as [number, number, number, number, number];
  if (!dataDir) {
    dataDir = join(mkdtempSync(join(tmpdir(), 'cb-npm-start-')), 'data');
    dirs.push(dataDir);
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  const moved = /^(JEST|NODE_ENV$|DATABASE_URL$|ENCRYPTION_KEY$|TEMPORAL_ADDRESS$|PUBLIC_BASE_URL$|BOX_)/;
  for (const k of Object.keys(env)) if (moved.test(k)) delete env[k];
  Object.assign(env, {
    // One setting per port: the addresses that follow them (TEMPORAL_ADDRESS, PUBLIC_BASE_URL, box-sim's URLs) move too.
    DATA_DIR: dataDir,
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    API_PORT: String(api),
    BOX_SIM_PORT: String(sim),
    WORKER_METRICS_PORT: String(metrics),
    LOG_LEVEL: 'warn',
    CI: 'false',
  });
  return { dataDir, env, ports: { temporal, ui, api, sim, metrics } };
}

/** Runs a shell command line for `stack` in a process group of its own, as a terminal runs a job. */
function run(command: string, stack: Stack, env = stack.env): Run {
  const logFile = join(stack.dataDir, 'logs', 'dev-stack.log');
  const offset = readText(logFile).length;
  const child = spawn('sh', ['-c', command], { cwd: root, env, detached: true, stdio: 'pipe' });
  recordedGroups.add(child.pid!);
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => text, exited, log: () => readText(logFile).slice(offset) };
}

const lockFile = (stack: Stack) => join(stack.dataDir, 'stack.lock');

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Every live process whose environment names this stack's lock file. */
function processesOf(stack: Stack): number[] {
  const marker = `CONNECT_BOX_STACK_LOCK=${lockFile(stack)}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker))
        pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits for the stack to be up; returns the launcher's and the children's pids from the lock. */
async function whenUp(stack: Stack, run: Run): Promise<{ launcher: number; children: Map<string, number> }> {
  // The last value in a timeout message is the output and the log as they stood then.
  // The Temporal CLI's own log says why it exited, if it did.
  const temporalLog = () => readText(join(stack.dataDir, 'logs', 'temporal.log')).slice(-4000);
  await eventually(() => `${run.output()}\n${run.log()}\n--- temporal.log (tail) ---\n${temporalLog()}`, {
    what: 'the stack to start',
    timeoutMs: 90_000,
    intervalMs: 250,
    accept: () => run.log().includes(UP),
  });
  const lock = JSON.parse(readFileSync(lockFile(stack), 'utf8')) as {
    launcher: { pid: number };
    children: Array<{ name: string; pid: number }>;
  };
  const children = new Map(lock.children.map((c) => [c.name, c.pid]));
  for (const pid of [lock.launcher.pid, ...children.values(), ...processesOf(stack)]) recordedPids.add(pid);
  expect([...children.keys()]).toEqual(['temporal', 'box-sim', 'worker', 'api']);
  return { launcher: lock.launcher.pid, children };
}

/** Waits until none of `pids` and no process of the stack runs, and the lock file is gone. */
async function expectAllGone(stack: Stack, pids: number[]): Promise<void> {
  await eventually(() => [...new Set([...pids, ...processesOf(stack)])].filter(alive), {
    what: 'every process of the stack to end (the value: those still running)',
    timeoutMs: 60_000,
    intervalMs: 250,
    accept: (running) => running.length === 0,
  });
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// Whatever failed, nothing this file started survives it: every job's group, every recorded pid and group.
afterAll(() => {
  for (const pgid of recordedGroups) kill(-pgid);
  for (const pid of recordedPids) {
    kill(-pid);
    kill(pid);
  }
  for (const dir of dirs) rmSync(join(dir, '..'), { recursive: true, force: true });
});

linuxOnly('npm start owns its processes', () => {
  it('a start whose Temporal port is held by another program names the port and the program, and starts nothing', async () => {
    const stack = await newStack();
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require('net').createServer().listen(${stack.ports.temporal}, '127.0.0.1', () => console.log('held'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    recordedPids.add(holder.pid!);
    try {
      await new Promise((r) => holder.stdout.once('data', r));
      const start = run(START, stack);
      expect(await start.exited).toBe(1);
      expect(start.output()).toContain(
        'connect-box cannot start: a port it needs is in use (nothing was started)',
      );
      expect(start.output()).toContain(
        `port ${stack.ports.temporal} (Temporal frontend, TEMPORAL_PORT): pid ${holder.pid} (${process.execPath} -e require('net')`,
      );
      expect(processesOf(stack)).toEqual([]);
      expect(existsSync(lockFile(stack))).toBe(false);
      expect(existsSync(join(stack.dataDir, 'logs', 'temporal.log'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  describe('a stack whose stdout reader exits first', () => {
    let stack: Stack;
    let start: Run;
    let up: { launcher: number; children: Map<string, number> };

    it('keeps starting when the reader of its output is gone (`npm start | head -n 1`)', async () => {
      stack = await newStack();
      start = run(`${START} 2>&1 | head -n 1`, stack);
      up = await whenUp(stack, start);
      expect(start.log()).toContain('[stdout is gone (EPIPE): what went there continues in this log only]');
    });

    it("the Web UI is given the API's codec endpoint, and the API decodes what the stack's processes wrote", async () => {
      const api = `http://127.0.0.1:${stack.ports.api}`;
      const settings = await fetch(`http://127.0.0.1:${stack.ports.ui}/api/v1/settings`).then((r) =>
        r.text(),
      );
      expect(settings).toContain(`"Endpoint":"${api}/codec"`);
      const preflight = await fetch(`${api}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin: `http://127.0.0.1:${stack.ports.ui}`, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      // The launcher's start-up probe: started by its client, answered by the worker, both encrypting.
      const connection = await Connection.connect({ address: `127.0.0.1:${stack.ports.temporal}` });
      try {
        const raw = new Client({ connection });
        let probeId: string | undefined;
        for await (const run of raw.workflow.list({ query: "WorkflowType = 'stackProbe'" }))
          probeId = run.workflowId;
        const history = await raw.workflow.getHandle(probeId!).fetchHistory();
        const payloads = (history.events ?? []).flatMap(
          (e) => e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? [],
        );
        expect(payloads.length).toBeGreaterThan(0);
        const b64 = (b?: Uint8Array | null) => Buffer.from(b ?? new Uint8Array()).toString('base64');
        const body = {
          payloads: payloads.map((p) => ({
            metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
            data: b64(p.data),
          })),
        };
        expect(payloads.map((p) => Buffer.from(p.metadata!.encoding!).toString())).toContain(
          'binary/encrypted',
        );
        const decode = (headers: Record<string, string>) =>
          fetch(`${api}/codec/decode`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify(body),
          });
        expect((await decode({})).status).toBe(401);
        const decoded = await decode({
          authorization: `Bearer ${stack.env.API_TOKEN ?? 'connect-box-dev-token-change-me'}`,
        });
        expect(decoded.status).toBe(200);
        const texts = ((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads.map((p) =>
          Buffer.from(p.data, 'base64').toString('utf8'),
        );
        expect(texts).toContain(JSON.stringify({ text: 'ready?' }));
      } finally {
        await connection.close();
      }
    });

    it('a second start on the same data folder says what is running and starts nothing', async () => {
      const before = processesOf(stack).sort();
      const second = run(START, stack);
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(
        new RegExp(
          `connect-box is already running \\(pid ${up.launcher}, started [0-9-]+ [0-9:]+ UTC\\): stop it with Ctrl-C in its terminal or 'DATA_DIR=${stack.dataDir} npm run stop'`,
        ),
      );
      expect(second.output()).toContain(`api (pid ${up.children.get('api')})`);
      expect(processesOf(stack).sort()).toEqual(before);
    });

    it('a start on another data folder but the same ports names the stack that holds them', async () => {
      const other = await newStack();
      const clash = run(START, stack, { ...stack.env, DATA_DIR: other.dataDir });
      expect(await clash.exited).toBe(1);
      expect(clash.output()).toContain(
        'connect-box cannot start: ports it needs are in use (nothing was started)',
      );
      expect(clash.output()).toContain(
        `port ${stack.ports.api} (API, API_PORT): pid ${up.children.get('api')} (`,
      );
      expect(clash.output()).toContain(
        `port ${stack.ports.metrics} (worker metrics, WORKER_METRICS_PORT): pid ${up.children.get('worker')} (`,
      );
      expect(clash.output()).toContain(
        `they belong to the connect-box of the data folder ${stack.dataDir} (pid ${up.launcher}, started `,
      );
      expect(existsSync(lockFile(other))).toBe(false);
    });

    it("the worker serves its metrics and the Temporal SDK's on WORKER_METRICS_PORT, as the banner says", async () => {
      const url = `http://127.0.0.1:${stack.ports.metrics}/metrics`;
      expect(start.log()).toContain(`worker ${url}`);
      const text = await (await fetch(url)).text();
      expect(text).toMatch(/^connect_box_files_walked_total \d+/m);
      expect(text).toMatch(/^temporal_\w+/m);
    });

    it('Ctrl-C stops every process even though the terminal is gone', async () => {
      const pids = [up.launcher, ...up.children.values(), ...processesOf(stack)];
      process.kill(-start.child.pid!, 'SIGINT'); // what a terminal's Ctrl-C does: the whole job
      await start.exited;
      await expectAllGone(stack, pids);
      const log = start.log();
      expect(log).toContain('stopping the stack: Ctrl-C (SIGINT) ...');
      expect(log).toContain('stopped: no process left running.');
      expect(existsSync(lockFile(stack))).toBe(false);
    });
  });

  describe('a stack whose launcher is killed', () => {
    let stack: Stack;
    let killed: number;

    it('SIGKILL of the launcher: its children notice and stop, the Temporal CLI too', async () => {
      stack = await newStack();
      const start = run(START, stack);
      const up = await whenUp(stack, start);
      killed = up.launcher;
      const pids = [up.launcher, ...up.children.values(), ...processesOf(stack)];
      process.kill(up.launcher, 'SIGKILL');
      await expectAllGone(stack, pids);
      // Each child says so in its log, as a JSON line of its component.
      const logLines = (name: string) =>
        readText(join(stack.dataDir, 'logs', `${name}.log`))
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { component?: string; level?: string; msg?: string });
      for (const name of ['box-sim', 'worker', 'api'])
        expect(logLines(name)).toContainEqual(
          expect.objectContaining({
            component: name,
            level: 'warn',
            msg: 'the npm start launcher is gone: stopping',
          }),
        );
      expect(logLines('temporal')).toContainEqual(
        expect.objectContaining({
          component: 'reaper',
          msg: expect.stringContaining('the launcher is gone'),
        }),
      );
      // The worker's log holds JSON lines only: its own, the SDK's and the Temporal core's.
      const workerLog = readText(join(stack.dataDir, 'logs', 'worker.log'));
      expect(workerLog.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'))).toEqual([]);
      expect(existsSync(lockFile(stack))).toBe(true); // nobody was left to remove it
      await start.exited;
    });

    it('the next start takes the stale lock over; SIGHUP (its terminal closed) stops every process', async () => {
      const again = await newStack(stack.dataDir);
      // `script` gives the stack a real terminal, and killing it closes that terminal: the kernel hangs up.
      const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
      const start = run(hasScript ? `exec script -qfec '${START}' /dev/null` : START, again);
      const up = await whenUp(again, start);
      expect(start.log()).toContain(
        `taking over the lock of an earlier connect-box (pid ${killed}, started `,
      );
      expect(start.log()).not.toContain('first run:'); // the store already has its admin
      const pids = [up.launcher, ...up.children.values(), ...processesOf(again)];
      if (hasScript) start.child.kill('SIGKILL');
      else process.kill(-start.child.pid!, 'SIGHUP');
      await expectAllGone(again, pids);
      const log = start.log();
      expect(log).toContain('stopping the stack: SIGHUP (the terminal was closed) ...');
      expect(log).toContain('stopped: no process left running.');
      expect(existsSync(lockFile(again))).toBe(false);
    });
  });

  it("'npm run stop' stops a running stack, then says it is not running", async () => {
    const stack = await newStack();
    const start = run(START, stack);
    const up = await whenUp(stack, start);
    // First run: the admin account, its generated password in the terminal only, never in the log.
    const password = /password of 'admin': +(\S+)/.exec(start.output())?.[1];
    expect(password).toHaveLength(24);
    expect(start.log()).toContain("first run: created the admin account 'admin'");
    expect(start.log()).not.toContain(password);
    const pids = [up.launcher, ...up.children.values(), ...processesOf(stack)];
    const stop = run('npm run stop', stack);
    expect(await stop.exited).toBe(0);
    expect(stop.output()).toContain(`stopping connect-box (pid ${up.launcher}, started `);
    expect(stop.output()).toContain(`api (pid ${up.children.get('api')})`);
    await expectAllGone(stack, pids);
    expect(start.log()).toContain('stopping the stack: SIGTERM (npm run stop, or kill) ...');
    const again = run('npm run stop', stack);
    expect(await again.exited).toBe(0);
    expect(again.output()).toContain(`connect-box is not running (no lock in ${stack.dataDir})`);
    await start.exited;
  });
});
