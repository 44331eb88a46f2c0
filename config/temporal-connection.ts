import { readFileSync } from 'node:fs';
import type { Config } from './config';

/** Connection options for client and worker from configuration (plain, mTLS or Temporal Cloud API key). */
// The return type is inferred so it fits both the client's and the worker's (native) connection options.
export function temporalConnectionOptions(config: Config) {
  const t = config.temporal;
  const tls = t.tls
    ? t.tlsCertPath && t.tlsKeyPath
      ? { clientCertPair: { crt: readFileSync(t.tlsCertPath), key: readFileSync(t.tlsKeyPath) } }
      : true
    : undefined;
  return {
    address: t.address,
    tls,
    ...(t.apiKey !== undefined && { apiKey: t.apiKey, metadata: { 'temporal-namespace': t.namespace } }),
  };
}
