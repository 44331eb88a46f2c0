import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../../config/config';
import { configTableMarkdown } from '../../../config/config-table';

describe('configuration', () => {
  it('gives the embedded setup when nothing is set', () => {
    const config = loadConfig({});
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.databaseUrl).toBe('sqlite:data/connect-box.sqlite');
    expect(config.box.apps.US1).toEqual({
      clientId: 'box-sim-client-id',
      clientSecret: 'box-sim-client-secret',
    });
    expect(config.box.apps.EU1).toBeUndefined();
    expect(config.timing.authorizationTimeoutMs).toBe(15 * 60_000);
    expect(config.timing.backfillWindowMs).toBe(7 * 86_400_000);
  });

  it('names every bad variable and what it expects', () => {
    let error: unknown;
    try {
      loadConfig({
        API_PORT: 'eighty',
        RESCAN_INTERVAL: 'soon',
        DATABASE_URL: 'mysql://x',
        ENCRYPTION_KEY: 'abc',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('API_PORT="eighty"');
    expect(message).toContain('RESCAN_INTERVAL="soon": expected a duration such as \'30s\'');
    expect(message).toContain("DATABASE_URL=\"mysql://x\": expected 'sqlite:<file>' or 'postgres://");
    // A secret's bad value is never repeated: the message reaches logs.
    expect(message).toContain('ENCRYPTION_KEY=(hidden: 3 characters): expected 64 hex characters');
    expect(message).not.toContain('"abc"');
  });

  it('never repeats a secret setting or a URL password in its message', () => {
    let error: unknown;
    try {
      loadConfig({
        API_TOKEN: 'short',
        DATABASE_URL: 'mysql://app:hunter2-secret@db.internal/x',
        SMTP_PORT: 'none',
      });
    } catch (e) {
      error = e;
    }
    const message = (error as Error).message;
    expect(message).toContain('API_TOKEN=(hidden: 5 characters)');
    expect(message).toContain('DATABASE_URL="mysql://app:***@db.internal/x"');
    expect(message).toContain('SMTP_PORT="none"');
    expect(message).not.toMatch(/short|hunter2/);
    expect(JSON.stringify((error as ConfigError).problems)).not.toMatch(/short|hunter2/);
  });

  it('refuses half of a Box app credential pair', () => {
    expect(() => loadConfig({ BOX_EU1_CLIENT_ID: 'abc' })).toThrow(/BOX_EU1_CLIENT_SECRET.*data centre EU1/);
  });

  it('DATA_DIR moves the SQLite store unless DATABASE_URL names one', () => {
    expect(loadConfig({}).dataDir).toBe('data');
    expect(loadConfig({ DATA_DIR: '/tmp/x' }).databaseUrl).toBe('sqlite:/tmp/x/connect-box.sqlite');
    expect(loadConfig({ DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://u@h:5432/d' }).databaseUrl).toBe(
      'postgres://u@h:5432/d',
    );
  });

  it('moving a port of the embedded stack moves the addresses that follow it, unless they are set', () => {
    const moved = loadConfig({ TEMPORAL_PORT: '17233', API_PORT: '17300', BOX_SIM_PORT: '17600' });
    expect(moved.temporal.address).toBe('127.0.0.1:17233');
    expect(moved.api.publicBaseUrl).toBe('http://127.0.0.1:17300');
    expect(moved.box.apiBaseUrl).toBe('http://127.0.0.1:17600');
    expect(moved.box.uploadBaseUrl).toBe('http://127.0.0.1:17600/upload');
    expect(moved.box.authorizeUrl).toBe('http://127.0.0.1:17600/api/oauth2/authorize');
    const explicit = loadConfig({
      TEMPORAL_PORT: '17233',
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      API_PORT: '17300',
      PUBLIC_BASE_URL: 'https://connect.example',
      // Off loopback a key is required (tokens at rest are not sealed with a key file beside them).
      ENCRYPTION_KEY: 'ab'.repeat(32),
      BOX_SIM_PORT: '17600',
      BOX_API_BASE_URL: 'https://api.box.com',
    });
    expect(explicit.temporal.address).toBe('temporal.example:7233');
    expect(explicit.api.publicBaseUrl).toBe('https://connect.example');
    expect(explicit.box.apiBaseUrl).toBe('https://api.box.com');
    expect(() => loadConfig({ TEMPORAL_PORT: 'x' })).toThrow(/TEMPORAL_PORT="x"/);
  });

  it('a Temporal API key implies TLS', () => {
    expect(loadConfig({ TEMPORAL_API_KEY: 'k' }).temporal.tls).toBe(true);
  });

  it('the README documents exactly the settings of the schema', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    // Prettier pads table cells; compare cell by cell.
    const normalize = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('|'))
        .map((line) =>
          line
            .split('|')
            .map((cell) => cell.trim().replace(/^-+$/, '---'))
            .join('|'),
        );
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Development'));
    expect(normalize(section)).toEqual(normalize(configTableMarkdown()));
  });
});
