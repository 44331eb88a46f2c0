/**
 * `npm start`: the whole stack on one machine — Temporal dev server (persistent, Web UI), box-sim (unless
 * a real Box is configured), worker and API — then the demo: connect, API test, backfill, full scan,
 * live edit and share rescanned within seconds, findings summary. Options: `--no-demo` (just the stack),
 * `--ci` (or CI=true: run the demo, then stop and exit 0, or non-zero if any step failed), `--files N`
 * (box-sim's enterprise size, default 1,000).
 *
 * The launcher owns its processes. Before starting anything it takes `<DATA_DIR>/stack.lock` and checks
 * every port (stack-guard.ts); a second start says what is running instead. However it ends — Ctrl-C,
 * SIGTERM (`npm run stop`), SIGHUP (terminal closed), a broken stdout pipe, an exception, SIGKILL — its
 * children end too: it stops them itself when it can, and each child watches its launcher
 * (launcher-watchdog.ts; reaper.ts for the Temporal CLI) for when it cannot.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../config/config';
import { temporalToolchain } from './temporal-toolchain';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../common/search-attributes';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { temporalDataConverter } from '../config/payload-codec';
import { stackProbe, echoSignal, echoedQuery, finishSignal } from '../workflows';
import { ChildExitedError, ProcessGroup, StackStoppingError, type StartedChild } from './process-group';
import { waitFor, answersAs } from './wait-for';
import { ApiClient } from './demo-client';
import { openStore } from '../store/database';
import { announceFirstAdmin, ensureFirstAdmin } from './first-admin';
import { runDemo } from './demo';
import { sinkFile, startSmtpSink } from './smtp-sink';
import { teeOutputToLog } from './launcher-output';
import { LogFollower } from './log-follower';
import { STACK_LOCK_ENV } from './port-holder';
import { lockPath, type StackLock } from './stack-lock';
import {
  checkPortsFree,
  stopCommand,
  takeStackLock,
  verifyPortHolder,
  type ServicePort,
} from './stack-guard';

const root = join(__dirname, '..');

/**
 * Starts the embedded Temporal dev server with the project's search attributes and a persistent store; its
 * Web UI decodes payloads through the API's codec endpoint (the UI, like the CLI, appends `/decode`).
 */
function startTemporal(group: ProcessGroup, config: Config, dataDir: string, port: number) {
  const searchAttributes = Object.entries(CUSTOM_SEARCH_ATTRIBUTES).flatMap(([k, t]) => [
    '--search-attribute',
    `${k}=${t}`,
  ]);
  return group.startProgram('temporal', temporalToolchain().temporalCli, [
    'server',
    'start-dev',
    '--db-filename',
    join(dataDir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(config.temporal.uiPort),
    '--ui-disable-news-fetch',
    '--ui-codec-endpoint',
    `${config.api.publicBaseUrl.replace(/\/$/, '')}/codec`,
    '--log-level',
    'warn',
    '--log-format',
    'json', // temporal.log holds JSON lines, like every other log of the stack
    ...searchAttributes,
  ]);
}

/**
 * Starts the embedded dev server and waits until it answers. The CLI picks free ports of its own at start
 * (its HTTP API, metrics and internal services), which another program can take first: when it exits
 * before answering, its log's last lines are shown and it is started once more; a second early exit
 * stops the stack.
 */
async function startTemporalOnce(
  group: ProcessGroup,
  config: Config,
  dataDir: string,
  port: number,
): Promise<StartedChild> {
  const answers = () =>
    Connection.connect({ address: config.temporal.address }).then(async (c) => (await c.close(), true));
  for (let attempt = 1; ; attempt++) {
    const temporal = startTemporal(group, config, dataDir, port);
    try {
      await waitFor('Temporal', answers, 60_000, temporal.failed);
      return temporal;
    } catch (err) {
      if (attempt > 1 || !(err instanceof ChildExitedError)) throw err;
      console.log(`${err.message}\nstarting the Temporal dev server once more ...`);
    }
  }
}

/** Runs stackProbe through the worker: proves client, server and worker are wired together. */
async function probeWorker(client: Client, config: Config): Promise<void> {
  const handle = await client.workflow.start(stackProbe, {
    taskQueue: config.temporal.taskQueues.main,
    workflowId: `stack-probe/${Date.now()}`,
    staticSummary: 'dev stack start-up probe',
  });
  await handle.signal(echoSignal, { text: 'ready?' });
  await waitFor(
    'the worker to answer the start-up probe',
    async () => (await handle.query(echoedQuery)).length === 1,
    60_000,
  );
  await handle.signal(finishSignal);
  await handle.result();
}

/** True when BOX_API_BASE_URL points at the local box-sim port (the default): then npm start runs box-sim. */
function usesLocalBoxSim(config: Config): boolean {
  return config.box.apiBaseUrl.replace(/\/$/, '') === `http://127.0.0.1:${config.boxSimPort}`;
}

/** True when TEMPORAL_ADDRESS is on this machine: then npm start runs the dev server. */
function usesEmbeddedTemporal(config: Config): boolean {
  return config.temporal.address.startsWith('127.0.0.1:') || config.temporal.address.startsWith('localhost:');
}

/** Every port this stack will listen on, with the setting that moves it. */
function stackPorts(config: Config): ServicePort[] {
  const ports: ServicePort[] = [];
  if (usesEmbeddedTemporal(config)) {
    const port = Number(config.temporal.address.split(':')[1]);
    const setting = process.env.TEMPORAL_ADDRESS ? 'TEMPORAL_ADDRESS' : 'TEMPORAL_PORT';
    ports.push({ service: 'Temporal frontend', setting, host: '127.0.0.1', port });
    ports.push({
      service: 'Temporal Web UI',
      setting: 'TEMPORAL_UI_PORT',
      host: '127.0.0.1',
      port: config.temporal.uiPort,
    });
  }
  if (usesLocalBoxSim(config))
    ports.push({ service: 'box-sim', setting: 'BOX_SIM_PORT', host: '127.0.0.1', port: config.boxSimPort });
  ports.push({ service: 'API', setting: 'API_PORT', host: config.api.host, port: config.api.port });
  // 0: the worker takes any free port (and logs it), so there is nothing to check beforehand.
  if (config.workerMetrics.port !== 0)
    ports.push({
      service: 'worker metrics',
      setting: 'WORKER_METRICS_PORT',
      host: config.workerMetrics.host,
      port: config.workerMetrics.port,
    });
  return ports;
}

function parseArgs(argv: string[]) {
  const unknown = argv.filter(
    (a, i) => !['--no-demo', '--ci', '--files'].includes(a) && argv[i - 1] !== '--files',
  );
  if (unknown.length > 0)
    throw new Error(`unknown option ${unknown.join(' ')}: use --no-demo, --ci, --files N`);
  const filesAt = argv.indexOf('--files');
  const files = filesAt >= 0 ? Number(argv[filesAt + 1]) : 1000;
  if (!Number.isInteger(files) || files < 10) throw new Error('--files takes a whole number of at least 10');
  return { demo: !argv.includes('--no-demo'), ci: argv.includes('--ci') || process.env.CI === 'true', files };
}

async function runDevStack(): Promise<void> {
  const config = loadConfig();
  const args = parseArgs(process.argv.slice(2));
  const dataDir = resolve(config.dataDir);
  const output = teeOutputToLog(join(dataDir, 'logs', 'dev-stack.log'));
  const ports = stackPorts(config);

  let lock: StackLock | undefined;
  // Each service says who it is on its health route: a foreign program on the port is never taken for it.
  const instance = randomUUID();
  const group = new ProcessGroup(
    join(dataDir, 'logs'),
    // The children's logs are files: JSON lines whatever LOG_FORMAT the terminal had (docs/operators.md).
    {
      ...process.env,
      LOG_FORMAT: 'json',
      [STACK_LOCK_ENV]: lockPath(dataDir),
      CONNECT_BOX_INSTANCE: instance,
    },
    (child) => lock?.addChild(child),
  );
  // Our children's error lines show in the terminal as text as they are written (the files stay JSON).
  // Not the Temporal CLI's: it logs internal errors that need no action; its log is quoted if it dies.
  const errors = new LogFollower((line) => console.error(line));
  let stopping = false;
  /** Stops every child, releases the lock and exits; the first caller's reason wins. */
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nstopping the stack: ${reason} ...`);
    try {
      const killed = await group.stopAll();
      errors.stop();
      const left = group.leftovers();
      if (left.length > 0) {
        console.error(
          `could not stop ${left.map((c) => `${c.name} (process group ${c.pid})`).join(', ')}: kill them by hand`,
        );
        code = code || 1;
      } else {
        if (killed.length > 0) console.log(`(${killed.join(', ')} did not stop in time and were killed)`);
        console.log('stopped: no process left running.');
      }
    } finally {
      lock?.release();
      if (output.stdoutLost()) console.error(`(the terminal was gone; this log is ${output.logFile})`);
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void shutdown('Ctrl-C (SIGINT)', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM (npm run stop, or kill)', 0));
  process.on('SIGHUP', () => void shutdown('SIGHUP (the terminal was closed)', 0));
  process.on('uncaughtException', (err) => void shutdown(`unexpected error: ${err.stack ?? err.message}`, 1));
  process.on('unhandledRejection', (err) => void shutdown(`unexpected error: ${String(err)}`, 1));

  try {
    lock = await takeStackLock(dataDir, ports, (line) => console.log(line));
    await checkPortsFree(ports);
  } catch (err) {
    lock?.release();
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
  if (stopping) return;

  // Any child that dies on its own, at any time, stops the stack with its name and log in the message.
  const failures: Array<Promise<never>> = [];
  try {
    if (usesEmbeddedTemporal(config)) {
      console.log('starting Temporal dev server ...');
      const port = Number(config.temporal.address.split(':')[1]);
      const temporal = await startTemporalOnce(group, config, dataDir, port);
      failures.push(temporal.failed);
      verifyPortHolder('Temporal dev server', port, temporal.pid);
    }
    const connection = await Connection.connect(temporalConnectionOptions(config));
    const client = new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: temporalDataConverter(config),
    });

    const sim = usesLocalBoxSim(config);
    if (sim) {
      console.log(`starting box-sim (${args.files} files) ...`);
      const boxSim = group.startScript('box-sim', join(root, 'box-sim', 'main.ts'), [
        '--port',
        String(config.boxSimPort),
        '--files',
        String(args.files),
      ]);
      errors.add(boxSim.name, boxSim.logFile);
      failures.push(boxSim.failed);
      await waitFor(
        'box-sim',
        () => answersAs(`${config.box.apiBaseUrl}/_sim/health`, instance, 'box-sim'),
        60_000,
        boxSim.failed,
      );
      verifyPortHolder('box-sim', config.boxSimPort, boxSim.pid);
    }

    // The store is migrated here, once, before the worker and the API open it; on first run, the admin.
    const store = await openStore(config.databaseUrl);
    const firstRun = await ensureFirstAdmin(store, config).finally(() => store.close());

    console.log('starting worker and API ...');
    const mail = await startMailSink(config, dataDir);
    // Without a policy file of the operator's, the worker gets the demo's: every template, plus two
    // policies with governance actions that only files named governance-demo-* / -approval-* match.
    const demoPolicies = config.policies.file ? undefined : join(root, 'scripts', 'demo-policies.yaml');
    const worker = group.startScript('worker', join(root, 'workers', 'main.ts'), [], {
      ...mail.env,
      ...(demoPolicies && { POLICY_FILE: demoPolicies }),
    });
    const api = group.startScript('api', join(root, 'api', 'main.ts'));
    errors.add(worker.name, worker.logFile);
    errors.add(api.name, api.logFile);
    failures.push(worker.failed, api.failed);
    const apiUrl = `http://${config.api.host}:${config.api.port}`;
    await waitFor('the API', () => answersAs(`${apiUrl}/healthz`, instance, 'API'), 60_000, api.failed);
    verifyPortHolder('API', config.api.port, api.pid);
    await Promise.race([probeWorker(client, config), ...failures]);
    // The worker serves /metrics before it polls, so once the probe answered its port is held, by it.
    if (config.workerMetrics.port !== 0)
      verifyPortHolder('worker metrics', config.workerMetrics.port, worker.pid);

    const publicBase = config.api.publicBaseUrl.replace(/\/$/, '');
    console.log(`
connect-box is running (pid ${process.pid})
  Temporal Web UI   http://127.0.0.1:${config.temporal.uiPort}   (workflows of every connector)
  Decoded payloads  sign in at ${publicBase}/console, then in the Web UI's Codec Server settings: endpoint ${publicBase}/codec, "Include cross-origin credentials"
  Temporal server   ${config.temporal.address}   namespace '${config.temporal.namespace}'
  API               ${apiUrl}   (GET /healthz; /api/* needs "Authorization: Bearer <API_TOKEN or a personal token>")
  Console           ${apiUrl}/console   (sign in as 'admin': connected apps, files, findings, activity, governance)
  Box               ${sim ? `box-sim ${config.box.apiBaseUrl} (simulated enterprise; control API /_sim/)` : config.box.apiBaseUrl}
  Metrics           ${apiUrl}/api/metrics (bearer token), worker ${config.workerMetrics.port === 0 ? '/metrics on a free port (worker.log)' : `http://${config.workerMetrics.host}:${config.workerMetrics.port}/metrics`}   (docs/operators.md)
  Mail              ${mail.line}
  Logs              ${join(dataDir, 'logs')}/{dev-stack,temporal,box-sim,worker,api}.log
  Lock              ${lockPath(dataDir)}   (stop with Ctrl-C here, or ${stopCommand()} elsewhere)`);
    announceFirstAdmin(firstRun, apiUrl);
    if (args.demo) {
      await Promise.race([
        runDemo({
          api: new ApiClient(apiUrl, config.api.token),
          simUrl: sim ? config.box.apiBaseUrl : undefined,
          uiUrl: `http://127.0.0.1:${config.temporal.uiPort}`,
          namespace: config.temporal.namespace,
          instanceName: sim ? 'Northwind (box-sim)' : 'Box enterprise',
          ci: args.ci,
          governance: demoPolicies !== undefined,
        }),
        ...failures,
      ]);
      if (args.ci) {
        console.log('\ndemo complete.');
        return shutdown('the demo is complete (--ci)', 0);
      }
    }
    console.log('\nPress Ctrl-C to stop everything.');

    await Promise.race(failures);
  } catch (err) {
    if (err instanceof StackStoppingError || stopping) return; // a signal arrived during start-up
    await shutdown(`the stack failed: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
}

/**
 * No SMTP server configured: a local sink (in this process) takes the governance e-mail, so nothing
 * leaves the machine; what it receives is printed and kept in DATA_DIR/mail/received.jsonl. Answers the
 * worker's SMTP settings and the banner's line.
 */
async function startMailSink(
  config: Config,
  dataDir: string,
): Promise<{ env: NodeJS.ProcessEnv; line: string }> {
  if (config.smtp.host) return { env: {}, line: `SMTP ${config.smtp.host}:${config.smtp.port}` };
  const file = sinkFile(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  const sink = await startSmtpSink({
    file,
    onMessage: (m) =>
      console.log(
        `mail received: to ${m.to.join(', ')}${m.cc.length > 0 ? `, cc ${m.cc.join(', ')}` : ''}: ${m.subject}`,
      ),
  });
  return {
    env: { SMTP_HOST: sink.host, SMTP_PORT: String(sink.port), SMTP_SECURE: 'false' },
    line: `SMTP sink ${sink.host}:${sink.port}   (received mail: ${file})`,
  };
}

runDevStack().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
