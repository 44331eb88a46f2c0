/**
 * `npm run sim -- [--port 8600] [--seed 1] [--users 20] [--files 2000] [--events N] [--rate-limit 1000]
 * [--rate-limit-burst 1000] [--root-files 0] [--latency-ms 0] [--access-token-minutes 60] [--lenient] [--api-downloads-are-user-actions] [--log-level warn]`:
 * runs box-sim alone and prints how to use it. Environment variables BOX_SIM_PORT, BOX_SIM_SEED,
 * BOX_SIM_USERS, BOX_SIM_FILES, BOX_SIM_CLIENT_ID and BOX_SIM_CLIENT_SECRET, BOX_SIM_WEBHOOK_PRIMARY_KEY,
 * BOX_SIM_WEBHOOK_SECONDARY_KEY and BOX_SIM_LOG_LEVEL work too.
 */
import pino from 'pino';
import { startBoxSim, type BoxSim } from './index';
import { stopWithLauncher } from '../scripts/launcher-watchdog';
import { parseLogLevel } from './options';
import { boxSimLogOptions } from './log-options';

/** box-sim's own lines as a process (start, failure, the launcher gone): JSON, like its request log. */
const log = pino(boxSimLogOptions(process.env.LOG_LEVEL ?? 'info'));

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}': options are --name value`);
    const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) out[key] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) out[key] = argv[++i]!;
    else out[key] = 'true';
  }
  return out;
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, not '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const env = process.env;
  const accessMinutes = number(args['access-token-minutes'], 'access-token-minutes');
  const sim = await startBoxSim({
    port: number(args.port ?? env.BOX_SIM_PORT, 'port') ?? 8600,
    seed: number(args.seed ?? env.BOX_SIM_SEED, 'seed') ?? 1,
    users: number(args.users ?? env.BOX_SIM_USERS, 'users') ?? 20,
    files: number(args.files ?? env.BOX_SIM_FILES, 'files') ?? 2000,
    ...(args.events ? { events: number(args.events, 'events')! } : {}),
    ...(args['root-files'] ? { rootFiles: number(args['root-files'], 'root-files')! } : {}),
    ...(args['rate-limit'] ? { rateLimitPerMinute: number(args['rate-limit'], 'rate-limit')! } : {}),
    ...(args['rate-limit-burst']
      ? { rateLimitBurst: number(args['rate-limit-burst'], 'rate-limit-burst')! }
      : {}),
    ...(args['latency-ms'] ? { latencyMs: number(args['latency-ms'], 'latency-ms')! } : {}),
    ...(accessMinutes !== undefined ? { accessTokenLifetimeMs: accessMinutes * 60_000 } : {}),
    ...(env.BOX_SIM_CLIENT_ID ? { clientId: env.BOX_SIM_CLIENT_ID } : {}),
    ...(env.BOX_SIM_CLIENT_SECRET ? { clientSecret: env.BOX_SIM_CLIENT_SECRET } : {}),
    ...(env.BOX_SIM_WEBHOOK_PRIMARY_KEY ? { webhookPrimaryKey: env.BOX_SIM_WEBHOOK_PRIMARY_KEY } : {}),
    ...(env.BOX_SIM_WEBHOOK_SECONDARY_KEY ? { webhookSecondaryKey: env.BOX_SIM_WEBHOOK_SECONDARY_KEY } : {}),
    strict: args.lenient !== 'true',
    // --api-downloads-are-activity is the flag's old name, still accepted.
    apiDownloadsAreUserActions:
      (args['api-downloads-are-user-actions'] ?? args['api-downloads-are-activity']) === 'true',
    // Standalone, every error answer is logged (with its request_id); `info` adds every request.
    logLevel: parseLogLevel(args['log-level'] ?? env.BOX_SIM_LOG_LEVEL, 'warn'),
    ...(env.CONNECT_BOX_INSTANCE ? { instance: env.CONNECT_BOX_INSTANCE } : {}),
  });
  // The how-to-use banner (with the app's secret and webhook keys) is for a person at a terminal; under
  // npm start, or with output to a file, box-sim's output stays JSON lines without secrets.
  if (process.stdout.isTTY) printBanner(sim);
  else
    log.info(
      {
        baseUrl: sim.baseUrl,
        uploadUrl: sim.uploadUrl,
        oauth2Url: sim.oauth2Url,
        enterpriseId: sim.manifest.enterpriseId,
        files: sim.manifest.fileCount(),
        events: sim.manifest.eventCount(),
        generationMs: Math.round(sim.generationMs),
      },
      `box-sim listening on ${sim.baseUrl}`,
    );
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** What a person running `npm run sim` in a terminal needs: the SDK's URLs, the app, the accounts. */
function printBanner(sim: BoxSim): void {
  const users = sim.manifest.users;
  const line = (u: (typeof users)[number]) =>
    `    ${u.login.padEnd(44)} ${u.inEnterprise ? u.role : 'personal account (no enterprise)'}`;
  console.log(`box-sim listening on ${sim.baseUrl}  (enterprise ${sim.manifest.enterpriseId}, ${sim.manifest.fileCount()} files, ${sim.manifest.eventCount()} events, generated in ${sim.generationMs.toFixed(0)} ms)

  box-node-sdk:  new BaseUrls({ baseUrl: '${sim.baseUrl}', uploadUrl: '${sim.uploadUrl}', oauth2Url: '${sim.oauth2Url}' })
  authorize:     ${sim.authorizeUrl({ redirectUri: 'http://127.0.0.1:3000/oauth/box/callback', state: 'xyz' })}
  token:         ${sim.tokenUrl}
  app:           client_id=${sim.clientId}  client_secret=${sim.clientSecret}
  webhook keys:  primary=${sim.webhookPrimaryKey}  secondary=${sim.webhookSecondaryKey}
  control API:   ${sim.baseUrl}/_sim/  (stats: ${sim.baseUrl}/_sim/stats)

  accounts you can authorize with:
${[users.find((u) => u.role === 'admin')!, ...users.filter((u) => u.role === 'coadmin'), ...users.filter((u) => u.role === 'user' && u.inEnterprise).slice(0, 5), ...users.filter((u) => !u.inEnterprise)].map(line).join('\n')}
`);
}

stopWithLauncher(log); // under npm start: stop when the launcher is gone, however it ended
main().catch((err: unknown) => {
  log.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
