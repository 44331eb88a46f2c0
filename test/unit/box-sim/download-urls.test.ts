import { DownloadUrls } from '../../../box-sim/handlers/files';

const grant = (file: number) => ({ file, version: 1, userIndex: 0, clientId: 'app' });
const tokenOf = (path: string) => path.split('/')[3]!;

describe('box-sim DownloadUrls', () => {
  it('redeems a URL until it expires, then never again', () => {
    let now = 0;
    const urls = new DownloadUrls(() => now, 1000);
    const token = tokenOf(urls.issue(grant(7)));
    expect(urls.redeem(token)).toEqual(expect.objectContaining({ file: 7, version: 1 }));
    now = 999;
    expect(urls.redeem(token)).toBeDefined();
    now = 1000;
    expect(urls.redeem(token)).toBeUndefined();
  });

  it('forgets expired grants as it issues new ones, and keeps every live one', () => {
    let now = 0;
    const urls = new DownloadUrls(() => now, 1000);
    const early = Array.from({ length: 50 }, (_, i) => tokenOf(urls.issue(grant(i))));
    now = 500;
    const late = Array.from({ length: 50 }, (_, i) => tokenOf(urls.issue(grant(100 + i))));
    now = 1200; // the early ones expired, the late ones live until 1500
    const last = tokenOf(urls.issue(grant(999)));
    const held = (urls as unknown as { grants: Map<string, unknown> }).grants;
    expect(held.size).toBe(51);
    expect(early.some((t) => held.has(t))).toBe(false);
    expect(late.every((t) => urls.redeem(t) !== undefined)).toBe(true);
    expect(urls.redeem(last)).toBeDefined();
  });

  it('reads no live grant when it issues another (the cost does not grow with the grants alive)', () => {
    const urls = new DownloadUrls(() => 0, 60_000);
    for (let i = 0; i < 20_000; i++) urls.issue(grant(i));
    const held = (urls as unknown as { grants: Map<string, unknown> }).grants;
    let read = 0;
    const entries = held.entries.bind(held);
    held[Symbol.iterator] = function* () {
      for (const e of entries()) {
        read++;
        yield e;
      }
    } as never;
    urls.issue(grant(20_000));
    expect(read).toBeLessThanOrEqual(1);
  });
});
