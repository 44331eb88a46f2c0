import { createHmac } from 'node:crypto';
import { WebhooksManager } from 'box-node-sdk/managers/webhooks';
import { boxSignature, verifyBoxSignature } from '../../../api/webhook-signature';

const PRIMARY = 'primary-key';
const SECONDARY = 'secondary-key';
const NOW = Date.parse('2026-05-01T12:00:00Z');
const body = Buffer.from(
  JSON.stringify({ type: 'webhook_event', id: 'p1', trigger: 'FILE.UPLOADED', é: 'ü' }),
);

/** Box's format: whole seconds, +00:00. */
function boxTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function headers(
  timestamp: string,
  keys: { primary?: string; secondary?: string } = { primary: PRIMARY, secondary: SECONDARY },
) {
  return {
    'box-delivery-id': 'd1',
    'box-delivery-timestamp': timestamp,
    'box-signature-version': '1',
    'box-signature-algorithm': 'HmacSHA256',
    ...(keys.primary && { 'box-signature-primary': boxSignature(body, timestamp, keys.primary) }),
    ...(keys.secondary && { 'box-signature-secondary': boxSignature(body, timestamp, keys.secondary) }),
  };
}

const verify = (
  h: Record<string, string>,
  b = body,
  keys: { secondaryKey?: string } = { secondaryKey: SECONDARY },
) => verifyBoxSignature({ body: b, headers: h, primaryKey: PRIMARY, ...keys, now: NOW });

describe('Box webhook signature check', () => {
  it('the signature is base64 HMAC-SHA256 over the body bytes then the timestamp bytes', () => {
    const ts = boxTime(NOW);
    const expected = createHmac('sha256', PRIMARY)
      .update(Buffer.concat([body, Buffer.from(ts)]))
      .digest('base64');
    expect(boxSignature(body, ts, PRIMARY)).toBe(expected);
  });

  it('accepts what box-node-sdk accepts', async () => {
    const ts = boxTime(Date.now() - 5_000);
    const h = headers(ts);
    const real = verifyBoxSignature({
      body,
      headers: h,
      primaryKey: PRIMARY,
      secondaryKey: SECONDARY,
      now: Date.now(),
    });
    expect(real).toEqual({ ok: true, key: 'primary' });
    await expect(
      WebhooksManager.validateMessage(body.toString('utf8'), h, PRIMARY, { secondaryKey: SECONDARY }),
    ).resolves.toBe(true);
  });

  it('either key passes: during a rotation the secondary signature alone is enough', () => {
    const ts = boxTime(NOW);
    expect(verify(headers(ts, { primary: 'old-primary', secondary: SECONDARY }))).toEqual({
      ok: true,
      key: 'secondary',
    });
    expect(verify(headers(ts, { secondary: SECONDARY }))).toEqual({ ok: true, key: 'secondary' });
    expect(verify(headers(ts, { primary: PRIMARY }))).toEqual({ ok: true, key: 'primary' });
  });

  it('a wrong key, a changed body, or a changed timestamp fails', () => {
    const ts = boxTime(NOW);
    expect(verify(headers(ts, { primary: 'forged', secondary: 'forged' }))).toEqual({
      ok: false,
      problem: 'bad-signature',
    });
    expect(verify(headers(ts), Buffer.concat([body, Buffer.from(' ')]))).toEqual({
      ok: false,
      problem: 'bad-signature',
    });
    const h = headers(ts);
    expect(verify({ ...h, 'box-delivery-timestamp': boxTime(NOW - 1000) })).toEqual({
      ok: false,
      problem: 'bad-signature',
    });
    // A secondary signature is worthless when no secondary key is configured.
    expect(verify(headers(ts, { primary: 'forged', secondary: SECONDARY }), body, {})).toEqual({
      ok: false,
      problem: 'bad-signature',
    });
  });

  it('refuses deliveries older than 10 minutes and accepts small clock skew into the future', () => {
    expect(verify(headers(boxTime(NOW - 10 * 60_000 - 1000)))).toEqual({ ok: false, problem: 'stale' });
    expect(verify(headers(boxTime(NOW - 9 * 60_000))).ok).toBe(true);
    expect(verify(headers(boxTime(NOW + 30_000))).ok).toBe(true);
    expect(verify(headers(boxTime(NOW + 5 * 60_000)))).toEqual({ ok: false, problem: 'future' });
  });

  it('refuses deliveries without a timestamp or a signature, or with another signature scheme', () => {
    const ts = boxTime(NOW);
    const { 'box-delivery-timestamp': _ts, ...noTimestamp } = headers(ts);
    expect(verify(noTimestamp)).toEqual({ ok: false, problem: 'missing-timestamp' });
    expect(verify({ ...headers(ts), 'box-delivery-timestamp': 'yesterday' })).toEqual({
      ok: false,
      problem: 'bad-timestamp',
    });
    expect(verify(headers(ts, {}))).toEqual({ ok: false, problem: 'missing-signature' });
    expect(verify({ ...headers(ts), 'box-signature-version': '2' })).toEqual({
      ok: false,
      problem: 'unsupported-signature',
    });
    expect(verify({ ...headers(ts, { primary: PRIMARY }), 'box-signature-primary': 'short' })).toEqual({
      ok: false,
      problem: 'bad-signature',
    });
  });
});
