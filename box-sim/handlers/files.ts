/** Files: GET /2.0/files/:id and GET /2.0/files/:id/content (302 to a short-lived download URL). */
import { randomBytes } from 'node:crypto';
import { boxErrors } from '../errors';
import { FILE_FIELDS, fileJson, parseFields } from '../json-shapes';
import { queryValue, type ApiContext, type Query } from './context';

/** The file index behind an ID the caller may see, or Box's 404. */
export function resolveFile(ctx: ApiContext, id: string): number {
  const file = ctx.enterprise.fileIndex(id);
  if (
    file === undefined ||
    ctx.enterprise.isDeleted(file) ||
    !ctx.enterprise.canAccessFile(ctx.actingUser.index, file)
  )
    throw boxErrors.notFound('file', id);
  if (ctx.enterprise.isTrashed(file)) throw boxErrors.trashed();
  return file;
}

/** GET /2.0/files/:id */
export function getFile(ctx: ApiContext, id: string, query: Query): Record<string, unknown> {
  const file = resolveFile(ctx, id);
  return fileJson(
    ctx.enterprise,
    file,
    ctx.actingUser.index,
    ctx.baseUrl,
    parseFields(queryValue(query, 'fields'), FILE_FIELDS, ctx.strict),
  );
}

/** What a download URL gives access to, and who asked for it. */
export interface DownloadGrant {
  readonly file: number;
  readonly version: number;
  readonly userIndex: number;
  readonly clientId: string;
}

/** Short-lived download URLs (Box's dl.boxcloud.com links live about 15 minutes). */
export class DownloadUrls {
  private readonly grants = new Map<string, DownloadGrant & { expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly lifetimeMs = 15 * 60_000,
  ) {}

  /** A URL path for the file's current version. */
  issue(grant: DownloadGrant): string {
    const token = randomBytes(18).toString('base64url');
    this.forgetExpired();
    this.grants.set(token, { ...grant, expiresAt: this.now() + this.lifetimeMs });
    return `/d/1/${token}/download`;
  }

  /** The grant behind a token, if still valid. */
  redeem(token: string): DownloadGrant | undefined {
    const grant = this.grants.get(token);
    if (!grant || grant.expiresAt <= this.now()) return undefined;
    return grant;
  }

  /**
   * Drops the expired grants. Every grant lives as long, so the Map (in insertion order) holds them by
   * expiry: the expired ones are at its front, and this reads past them only (a download's cost no longer
   * grows with the grants alive, which it did once 10,000 were).
   */
  private forgetExpired(): void {
    const now = this.now();
    for (const [token, grant] of this.grants) {
      if (grant.expiresAt > now) return;
      this.grants.delete(token);
    }
  }
}

/** GET /2.0/files/:id/content: where to download from, or "not ready yet". */
export function getFileContent(
  ctx: ApiContext,
  id: string,
  query: Query,
  urls: DownloadUrls,
  notReady: boolean,
): { location: string } | { retryAfterSeconds: number } {
  const file = resolveFile(ctx, id);
  const version = queryValue(query, 'version');
  if (version !== undefined && ctx.strict)
    throw boxErrors.invalidParameter('version', 'box-sim serves the current version only');
  if (notReady) return { retryAfterSeconds: 1 };
  return {
    location:
      ctx.baseUrl +
      urls.issue({
        file,
        version: ctx.enterprise.fileVersionOf(file),
        userIndex: ctx.actingUser.index,
        clientId: ctx.clientId,
      }),
  };
}
