import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createNetworkSession, proxyConfigured } from '../../../box/box-connection';

const config = {
  box: {
    apiBaseUrl: 'http://127.0.0.1:9/2.0',
    uploadBaseUrl: 'http://127.0.0.1:9/upload',
    authorizeUrl: 'http://127.0.0.1:9/api/oauth2/authorize',
    apps: {},
    webhookPrimaryKey: 'k',
  },
} as never;

describe('the Box sessions keep-alive agent', () => {
  it('reads a proxy from the variables proxy-agent reads, in either case, and ignores empty ones', () => {
    expect(proxyConfigured({ HTTPS_PROXY: 'http://proxy:3128' })).toBe(true);
    expect(proxyConfigured({ http_proxy: 'http://proxy:3128' })).toBe(true);
    expect(proxyConfigured({ ALL_PROXY: 'socks5://proxy:1080' })).toBe(true);
    expect(proxyConfigured({ npm_config_proxy: 'http://proxy:3128' })).toBe(true);
    expect(proxyConfigured({ npm_config_https_proxy: 'http://proxy:3128' })).toBe(true);
    expect(proxyConfigured({ HTTPS_PROXY: '', NO_PROXY: 'localhost', PROXY_PORT: '1' })).toBe(false);
  });

  // The agent is chosen once per process, from its environment (no proxy on the machines that run the suite).
  const withoutProxy = proxyConfigured(process.env) ? it.skip : it;
  withoutProxy('without a proxy: one keep-alive agent per protocol, shared by every session', () => {
    const agent = createNetworkSession(config).agent as unknown as (url: URL) => HttpAgent;
    expect(typeof agent).toBe('function');
    const plain = agent(new URL('http://127.0.0.1:9/2.0/users/me'));
    const secure = agent(new URL('https://api.box.com/2.0/users/me'));
    expect(plain).toBeInstanceOf(HttpAgent);
    expect(secure).toBeInstanceOf(HttpsAgent);
    expect(plain).not.toBeInstanceOf(HttpsAgent);
    const keepsAlive = (a: unknown) => (a as { keepAlive?: boolean }).keepAlive;
    expect(keepsAlive(plain)).toBe(true);
    expect(keepsAlive(secure)).toBe(true);
    expect(createNetworkSession(config).agent).toBe(agent);
  });
});
