import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '../box/token-cipher';
import type { OAuthStatesRepository } from '../store/oauth-states-repository';

/** Why a `state` was refused. */
export type StateRejection = 'malformed' | 'forged' | 'expired' | 'replayed' | 'unknown';

/** Thrown when an OAuth callback's `state` cannot be accepted; `reason` says which check failed. */
export class OAuthStateError extends Error {
  constructor(readonly reason: StateRejection) {
    super(
      {
        malformed: 'The authorization link is incomplete or damaged.',
        forged:
          'The authorization response was not issued by this connect-box (its signature does not verify).',
        expired: 'The authorization link expired.',
        replayed: 'This authorization response was already used.',
        unknown:
          'This connect-box has no record of the authorization link (it was never issued here, or is long gone).',
      }[reason],
    );
  }
}

/**
 * OAuth `state`: `<payload>.<mac>`, payload = base64url JSON {connector, nonce, expiry}, mac = HMAC-SHA256
 * with a key derived from the encryption key. Signed (bound to the connector, unforgeable), expiring with
 * the authorization window, and single use (the nonce is consumed in the store). States signed with an
 * older key of the ring still verify, so rotating the key does not break links already handed out.
 */
export class OAuthStateSigner {
  private readonly keys: Buffer[];

  constructor(
    masterKeys: KeyRing | Buffer,
    private readonly repo: OAuthStatesRepository,
  ) {
    const all = Buffer.isBuffer(masterKeys) ? [masterKeys] : masterKeys.all();
    this.keys = all.map((k) =>
      Buffer.from(hkdfSync('sha256', k, Buffer.alloc(0), 'connect-box oauth state', 32)),
    );
  }

  /** Issues a state for the connector, valid for `ttlMs`. */
  async issue(
    connectorId: string,
    ttlMs: number,
    now = Date.now(),
  ): Promise<{ state: string; expiresAt: Date }> {
    const nonce = randomBytes(16).toString('base64url');
    const expiresAt = new Date(now + ttlMs);
    // Spent and expired nonces are useless a day later: keep the table as small as the open windows.
    await this.repo.purgeExpired(new Date(now - 86_400_000));
    await this.repo.issue(nonce, connectorId, expiresAt);
    const payload = Buffer.from(
      JSON.stringify({ c: connectorId, n: nonce, e: expiresAt.getTime() }),
    ).toString('base64url');
    return { state: `${payload}.${this.mac(payload)}`, expiresAt };
  }

  /** Verifies and consumes a state; returns its connector or throws OAuthStateError. */
  async consume(state: string, now = Date.now()): Promise<{ connectorId: string }> {
    const claims = this.verifySignature(state, now);
    if (await this.repo.consume(claims.n, claims.c, new Date(now))) return { connectorId: claims.c };
    const row = await this.repo.find(claims.n);
    if (!row || row.connector_id !== claims.c) throw new OAuthStateError('unknown');
    if (row.used_at !== null) throw new OAuthStateError('replayed');
    throw new OAuthStateError('expired');
  }

  /**
   * Verifies a state without consuming it (for a response that grants nothing, such as Box's
   * `error=access_denied`: the admin may still open the same link again and allow access).
   */
  async verify(state: string, now = Date.now()): Promise<{ connectorId: string }> {
    const claims = this.verifySignature(state, now);
    const row = await this.repo.find(claims.n);
    if (!row || row.connector_id !== claims.c) throw new OAuthStateError('unknown');
    if (row.used_at !== null) throw new OAuthStateError('replayed');
    return { connectorId: claims.c };
  }

  private verifySignature(state: string, now: number): { c: string; n: string; e: number } {
    const [payload, mac, extra] = state.split('.');
    if (!payload || !mac || extra !== undefined) throw new OAuthStateError('malformed');
    const given = Buffer.from(mac);
    const signedByUs = this.keys.some((key) => {
      const expected = Buffer.from(this.mac(payload, key));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!signedByUs) throw new OAuthStateError('forged');
    let claims: { c?: unknown; n?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw new OAuthStateError('malformed');
    }
    if (typeof claims.c !== 'string' || typeof claims.n !== 'string' || typeof claims.e !== 'number')
      throw new OAuthStateError('malformed');
    if (claims.e <= now) throw new OAuthStateError('expired');
    return { c: claims.c, n: claims.n, e: claims.e };
  }

  private mac(payload: string, key = this.keys[0]!): string {
    return createHmac('sha256', key).update(payload).digest('base64url');
  }
}
