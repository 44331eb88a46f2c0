import { exchangeAuthorizationCode, revokeConnectorTokens } from '../box/box-connection';
import type { BoxClientPool } from '../box/box-client-pool';
import { boxFailure } from '../box/box-failure';
import type { TokenVault } from '../box/token-vault';
import type { Config } from '../config/config';
import type { ConnectorsRepository } from '../store/connectors-repository';
import type { ConnectActivities } from '../workflows/connect-box-activities';
import { runApiTest } from './api-test';

/** What the connect activities need. */
export interface ConnectDeps {
  config: Pick<Config, 'box'>;
  connectors: ConnectorsRepository;
  vault: TokenVault;
  clients: BoxClientPool;
}

/** The activities of connectBox. Box errors become ApplicationFailures with the user's message. */
export function createConnectActivities(
  deps: ConnectDeps,
): Omit<ConnectActivities, 'registerWebhooks' | 'removeWebhooks'> {
  return {
    async exchangeAuthorizationCode({ connectorId, dataCenter, code }) {
      try {
        await exchangeAuthorizationCode({
          config: deps.config,
          dataCenter: dataCenter,
          connectorId,
          vault: deps.vault,
          code,
        });
        deps.clients.forget(connectorId); // a client may hold the previous authorization's token
      } catch (err) {
        throw boxFailure(err);
      }
    },
    async runApiTest({ connectorId, dataCenter }) {
      try {
        return await runApiTest(deps.clients.get(connectorId, dataCenter));
      } catch (err) {
        throw boxFailure(err);
      }
    },
    async recordConnectorStatus({
      connectorId,
      status,
      message,
      enterpriseId,
      authorizedLogin,
      authorizedRole,
    }) {
      await deps.connectors.updateStatus(connectorId, {
        status,
        statusMessage: message,
        enterpriseId,
        authorizedLogin,
        authorizedRole,
      });
    },
    async revokeConnectorTokens({ connectorId, dataCenter }) {
      deps.clients.forget(connectorId);
      await revokeConnectorTokens({
        config: deps.config,
        dataCenter: dataCenter,
        connectorId,
        vault: deps.vault,
      });
    },
  };
}
