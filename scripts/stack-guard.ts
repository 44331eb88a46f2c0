/**
 * What `npm start` checks before it starts anything, and what it says when it cannot start: the data
 * folder's lock (one stack per data folder), then every port the stack will listen on. It also checks,
 * once a service answers, that the process on its port is the one this launcher started — so a foreign
 * process (or an orphan of an earlier run) on the port is never taken for it.
 */
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describeHolder, portHolders, portIsFree } from './port-holder';
import { processGroupOf, processRef } from './process-info';
import { StackLock, describeStack, readStackRecord } from './stack-lock';

/** A port one service of the stack listens on, and the setting that moves it. */
export interface ServicePort {
  service: string;
  setting: string;
  host: string;
  port: number;
}

/** Thrown when npm start must not start: another stack holds the data folder or a port. */
export class StackRefusedError extends Error {}

/** How to run `npm run stop` for a data folder (with DATA_DIR when it was set). */
export function stopCommand(): string {
  return process.env.DATA_DIR ? `'DATA_DIR=${process.env.DATA_DIR} npm run stop'` : "'npm run stop'";
}

/** Takes the lock of `dataDir` for this launcher; throws StackRefusedError naming who holds it. */
export async function takeStackLock(
  dataDir: string,
  ports: ServicePort[],
  say: (line: string) => void,
): Promise<StackLock> {
  const attempt = await StackLock.acquire(
    {
      app: 'connect-box',
      instanceId: randomUUID(),
      launcher: processRef(process.pid),
      startedAt: new Date().toISOString(),
      dataDir,
      ports: Object.fromEntries(ports.map((p) => [p.service, p.port])),
      children: [],
    },
    undefined,
    (running) =>
      say(
        `waiting for ${running.map((p) => `${p.name} (pid ${p.pid})`).join(', ')} of an earlier connect-box, whose launcher is gone, to stop ...`,
      ),
  );
  if ('heldBy' in attempt) {
    const { heldBy, running } = attempt;
    const list = running.map((p) => `${p.name} (pid ${p.pid})`).join(', ');
    if (running.some((p) => p.name === 'launcher'))
      throw new StackRefusedError(
        `connect-box is already running (${describeStack(heldBy)}): stop it with Ctrl-C in its terminal or ${stopCommand()}\n` +
          `  data folder ${heldBy.dataDir}; its processes: ${list}\n` +
          'nothing was started.',
      );
    throw new StackRefusedError(
      `the launcher of an earlier connect-box (${describeStack(heldBy)}) is gone, but some of its processes still run: ${list}\n` +
        `  ${stopCommand()} ends them; nothing was started.`,
    );
  }
  if (attempt.replaced === 'unreadable') say(`replacing the unreadable lock file ${attempt.taken.path}`);
  else if (attempt.replaced)
    say(
      `taking over the lock of an earlier connect-box (${describeStack(attempt.replaced)}): none of its processes runs any more`,
    );
  return attempt.taken;
}

/** Throws StackRefusedError naming every taken port, what holds it and how to free it. */
export async function checkPortsFree(ports: ServicePort[]): Promise<void> {
  const taken: string[] = [];
  const otherStacks = new Set<string>();
  for (const p of ports) {
    if (await portIsFree(p.host, p.port)) continue;
    const holders = portHolders(p.port) ?? [];
    for (const h of holders) if (h.stackLock) otherStacks.add(dirname(h.stackLock));
    const who = holders.length ? holders.map(describeHolder).join('; ') : 'another program';
    taken.push(`  port ${p.port} (${p.service}, ${p.setting}): ${who}`);
  }
  if (taken.length === 0) return;
  const settings = [...new Set(ports.map((p) => p.setting))].join(', ');
  const stacks = [...otherStacks].map((dir) => {
    const record = readStackRecord(dir);
    const which = record && record !== 'unreadable' ? ` (${describeStack(record)})` : '';
    return `they belong to the connect-box of the data folder ${dir}${which}: stop it with Ctrl-C in its terminal or 'DATA_DIR=${dir} npm run stop'`;
  });
  throw new StackRefusedError(
    `connect-box cannot start: ${taken.length === 1 ? 'a port it needs is' : 'ports it needs are'} in use (nothing was started)\n` +
      [...taken, ...stacks].join('\n') +
      `\nfree ${taken.length === 1 ? 'it' : 'them'}, or give connect-box other ports with ${settings} (README.md, Configuration)`,
  );
}

/**
 * Checks that whatever listens on `port` belongs to the process group of `leaderPid` (the child this
 * launcher started); throws naming the foreign holder otherwise. Without /proc nothing can be checked,
 * and the port having been free before the start is the guarantee left.
 */
export function verifyPortHolder(service: string, port: number, leaderPid: number): void {
  const holders = portHolders(port);
  if (!holders) return;
  const foreign = holders.filter((h) => h.pid === undefined || processGroupOf(h.pid) !== leaderPid);
  if (foreign.length > 0)
    throw new Error(
      `port ${port} answers, but it is held by ${foreign.map(describeHolder).join('; ')}, not by the ${service} this launcher started (pid ${leaderPid})`,
    );
}
