/** API entry point: connectors API, OAuth callback, Box webhooks, the payload codec endpoint, health. */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { temporalDataConverter } from '../config/payload-codec';
import { openStore } from '../store/database';
import { buildApiServer } from './server';
import { stopWithLauncher } from '../scripts/launcher-watchdog';
import { createLogger } from '../telemetry/logger';

/** The API process's own lines (start-up failures); requests are logged by Fastify's logger. */
const log = createLogger('api');

async function runApi(): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const temporal = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: temporalDataConverter(config),
  });
  const app = buildApiServer({ config, store, temporal, instance: process.env.CONNECT_BOX_INSTANCE });
  await app.listen({ host: config.api.host, port: config.api.port });
  const shutdown = () => {
    void app
      .close()
      .then(() => Promise.all([store.close(), connection.close()]))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

stopWithLauncher(log); // under npm start: stop when the launcher is gone, however it ended
runApi().catch((err: unknown) => {
  log.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
