/**
 * Who listens on a TCP port: the Linux socket tables (/proc/net/tcp, tcp6) give the socket's inode and
 * owner uid, and /proc/<pid>/fd links name the process. Other users' processes show as their uid only.
 */
import { createServer } from 'node:net';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { commandLine, environmentOf } from './process-info';

/** Set by the launcher in every process of a stack: the path of the stack's lock file. */
export const STACK_LOCK_ENV = 'CONNECT_BOX_STACK_LOCK';

/** A process listening on a port, as far as this user can see it. */
export interface PortHolder {
  /** Undefined when the socket belongs to a process this user cannot inspect. */
  pid?: number;
  uid: number;
  command?: string;
  /** The lock file of the connect-box stack the process belongs to, when it is one. */
  stackLock?: string;
}

const LISTEN = '0A';

/** Inode and uid of every socket listening on `port`, or undefined without /proc/net/tcp. */
function listeningSockets(port: number): Map<string, number> | undefined {
  const sockets = new Map<string, number>();
  let readable = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
      readable = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== LISTEN) continue;
      if (parseInt(f[1]!.split(':')[1]!, 16) === port) sockets.set(f[9]!, Number(f[7]));
    }
  }
  return readable ? sockets : undefined;
}

/** The processes listening on `port` on any address; undefined where /proc is missing (not Linux). */
export function portHolders(port: number): PortHolder[] | undefined {
  const sockets = listeningSockets(port);
  if (!sockets) return undefined;
  if (sockets.size === 0) return [];
  const found = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && sockets.has(inode) && !found.has(inode)) found.set(inode, Number(entry));
    }
  }
  const holders = new Map<string, PortHolder>();
  for (const [inode, uid] of sockets) {
    const pid = found.get(inode);
    const key = pid === undefined ? `uid:${uid}` : `pid:${pid}`;
    if (holders.has(key)) continue;
    holders.set(
      key,
      pid === undefined
        ? { uid }
        : { pid, uid, command: commandLine(pid), stackLock: environmentOf(pid, STACK_LOCK_ENV) },
    );
  }
  return [...holders.values()];
}

/** "pid 42 (python3 -m http.server)", or who owns it when the process cannot be seen. */
export function describeHolder(holder: PortHolder): string {
  if (holder.pid === undefined)
    return `a process of ${userName(holder.uid)} that this user cannot see (as root: ss -ltnp)`;
  return `pid ${holder.pid}${holder.command ? ` (${holder.command})` : ''}`;
}

function userName(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(uid));
    if (line) return `user ${line.split(':')[0]} (uid ${uid})`;
  } catch {
    // no passwd file: the uid alone
  }
  return `uid ${uid}`;
}

/** Resolves true when host:port can be listened on now, false when something else holds it. */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(false);
      else reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
