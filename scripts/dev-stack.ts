/**
 * `npm start`: the whole stack on one machine — Temporal dev server (persistent, Web UI), box-sim (unless
 * a real Box is configured), worker and API — then the demo: connect, API test, backfill, full scan,
 * live edit and share rescanned within seconds, findings summary. Ctrl-C stops everything and leaves no
 * process behind. Options: `--no-demo` (just the stack), `--ci` (or CI=true: run the demo, then stop
 * and exit 0, or non-zero if any step failed), `--files N` (box-sim's enterprise size, default 1,000).
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../config/config';
import { temporalToolchain } from './temporal-toolchain';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../common/search-attributes';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { stackProbe, echoSignal, echoedQuery, finishSignal } from '../workflows';
import { ProcessGroup } from './process-group';
import { waitFor, httpUp } from './wait-for';
import { ApiClient } from './demo-client';
import { runDemo } from './demo';

const root = join(__dirname, '..');
const dataDir = join(root, 'data');

/** Starts the embedded Temporal dev server with the project's search attributes and a persistent store. */
function startTemporal(group: ProcessGroup, config: Config) {
  const searchAttributes = Object.entries(CUSTOM_SEARCH_ATTRIBUTES).flatMap(([k, t]) => [
    '--search-attribute',
    `${k}=${t}`,
  ]);
  const [, port] = config.temporal.address.split(':');
  return group.start('temporal', temporalToolchain().temporalCli, [
    'server',
    'start-dev',
    '--db-filename',
    join(dataDir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    port ?? String(config.temporal.devServerPort),
    '--ui-port',
    String(config.temporal.uiPort),
    '--ui-disable-news-fetch',
    '--log-level',
    'warn',
    ...searchAttributes,
  ]);
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
  const group = new ProcessGroup(join(dataDir, 'logs'));
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log('\nstopping the stack ...');
    await group.stopAll();
    console.log('stopped: no process left running.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const useEmbeddedTemporal =
      config.temporal.address.startsWith('127.0.0.1:') || config.temporal.address.startsWith('localhost:');
    if (useEmbeddedTemporal) {
      console.log('starting Temporal dev server ...');
      const temporal = startTemporal(group, config);
      await waitFor(
        'Temporal',
        () =>
          Connection.connect({ address: config.temporal.address }).then(async (c) => (await c.close(), true)),
        60_000,
        temporal.failed,
      );
    }
    const connection = await Connection.connect(temporalConnectionOptions(config));
    const client = new Client({ connection, namespace: config.temporal.namespace });

    const sim = usesLocalBoxSim(config);
    if (sim) {
      console.log(`starting box-sim (${args.files} files) ...`);
      const boxSim = group.start('box-sim', join(root, 'node_modules', '.bin', 'tsx'), [
        join(root, 'box-sim', 'main.ts'),
        '--port',
        String(config.boxSimPort),
        '--files',
        String(args.files),
      ]);
      await waitFor('box-sim', () => httpUp(`${config.box.apiBaseUrl}/_sim/health`), 60_000, boxSim.failed);
    }

    console.log('starting worker and API ...');
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const worker = group.start('worker', tsx, [join(root, 'workers', 'main.ts')]);
    const api = group.start('api', tsx, [join(root, 'api', 'main.ts')]);
    const apiUrl = `http://${config.api.host}:${config.api.port}`;
    await waitFor('the API', () => httpUp(`${apiUrl}/healthz`), 60_000, api.failed);
    await Promise.race([probeWorker(client, config), worker.failed]);

    console.log(`
connect-box is running
  Temporal Web UI   http://127.0.0.1:${config.temporal.uiPort}   (workflows of every connector)
  Temporal server   ${config.temporal.address}   namespace '${config.temporal.namespace}'
  API               ${apiUrl}   (GET /healthz; /api/* needs "Authorization: Bearer <API_TOKEN>")
  Box               ${sim ? `box-sim ${config.box.apiBaseUrl} (simulated enterprise; control API /_sim/)` : config.box.apiBaseUrl}
  Logs              ${join(dataDir, 'logs')}/{temporal,box-sim,worker,api}.log`);
    if (args.demo) {
      await Promise.race([
        runDemo({
          api: new ApiClient(apiUrl, config.api.token),
          simUrl: sim ? config.box.apiBaseUrl : undefined,
          uiUrl: `http://127.0.0.1:${config.temporal.uiPort}`,
          namespace: config.temporal.namespace,
          instanceName: sim ? 'Northwind (box-sim)' : 'Box enterprise',
          ci: args.ci,
        }),
        worker.failed,
        api.failed,
      ]);
      if (args.ci) {
        console.log('\ndemo complete.');
        return shutdown(0);
      }
    }
    console.log('\nPress Ctrl-C to stop everything.');

    await Promise.race([worker.failed, api.failed]);
  } catch (err) {
    console.error(`\nstack failed: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(1);
  }
}

void runDevStack();
