/**
 * `npm run reseal-tokens`: after rotating the encryption key (new key in ENCRYPTION_KEY, the old one in
 * ENCRYPTION_KEYS), re-seals every stored Box token with the new key, so the old key can then be retired.
 * Safe while workers run: a token refreshed meanwhile is left as the refresher stored it. Exits 1 when some
 * token could not be opened (with which connector and why), 0 otherwise.
 */
import { resolveKeyRing, TokenCipher } from '../box/token-cipher';
import { TokenVault } from '../box/token-vault';
import { loadConfig } from '../config/config';
import { BoxTokensRepository } from '../store/box-tokens-repository';
import { openStore } from '../store/database';

async function main(): Promise<number> {
  const config = loadConfig();
  const keys = resolveKeyRing(config);
  const store = await openStore(config.databaseUrl);
  try {
    const vault = new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(keys));
    const report = await vault.resealAll();
    console.log(
      `re-sealed ${report.resealed} token(s) with key ${keys.currentId}; ${report.alreadyCurrent} already used it; ` +
        `${report.changedMeanwhile} refreshed meanwhile; ${report.failed.length} could not be opened.`,
    );
    for (const f of report.failed) console.error(`  connector ${f.connectorId}: ${f.reason}`);
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
