import { BoxClientPool } from '../../../box/box-client-pool';
import type { TokenVault } from '../../../box/token-vault';

const config = {
  box: {
    apiBaseUrl: 'http://127.0.0.1:8600',
    uploadBaseUrl: 'http://127.0.0.1:8600/upload',
    authorizeUrl: 'http://127.0.0.1:8600/api/oauth2/authorize',
    apps: { US1: { clientId: 'id', clientSecret: 'secret' } },
    webhookPrimaryKey: 'k',
  },
};

describe('BoxClientPool', () => {
  it('reuses one client per connector until told to forget it', () => {
    const pool = new BoxClientPool({ config, vault: {} as TokenVault });
    const a = pool.get('c1', 'US1');
    expect(pool.get('c1', 'US1')).toBe(a);
    expect(pool.get('c2', 'US1')).not.toBe(a);
    pool.forget('c1');
    expect(pool.get('c1', 'US1')).not.toBe(a);
  });

  it('refuses a data centre without a configured Box app', () => {
    const pool = new BoxClientPool({ config, vault: {} as TokenVault });
    expect(() => pool.get('c1', 'EU1')).toThrow(/BOX_EU1_CLIENT_ID/);
  });
});
