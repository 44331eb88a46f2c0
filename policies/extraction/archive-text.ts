import { gunzipSync } from 'node:zlib';
import JSZip from 'jszip';
import type { InspectionLimits } from '../inspection-limits';
import type { InspectionStatus } from '../inspection-status';
import { extensionOf } from './document-format';
import { ExtractionError } from './extraction-error';
import type { TextBudget } from './text-budget';

/** What became of one member of an archive. */
export interface ArchiveMember {
  /** The member's path inside the archive; nested members as `inner.zip/notes.txt`. */
  readonly path: string;
  readonly status: InspectionStatus;
  readonly reason: string;
}

/** The limits an archive is inspected within. */
export type ArchiveLimits = Pick<
  InspectionLimits,
  | 'maxFileBytes'
  | 'maxTextChars'
  | 'maxUncompressedBytes'
  | 'maxArchiveDepth'
  | 'maxArchiveMembers'
  | 'maxCompressionRatio'
>;

/** Extracts the text of one member (a document, never an archive) into the budget. */
export type MemberExtractor = (
  bytes: Uint8Array,
  extension: string,
  budget: TextBudget,
) => Promise<{ status: InspectionStatus; reason: string }>;

// jszip keeps each entry's declared sizes here; they are not in its typings.
interface EntryWithSizes {
  readonly _data?: { readonly uncompressedSize?: number; readonly compressedSize?: number };
}

/** True for the first bytes of a gzip stream. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Shared across the members of one archive and the archives nested in it. */
interface ArchiveState {
  expanded: number;
  members: number;
}

/**
 * Inspects a .zip member by member (or the one file of a .gz), nested archives included down to
 * `maxArchiveDepth`. Guards, each reported on the member it stops: the member count, the declared
 * and the actual bytes expanded in total (`maxUncompressedBytes`), each member's size
 * (`maxFileBytes`) and its compression ratio (`maxCompressionRatio`, a zip bomb). Every member gets
 * its own status and reason; its text joins the budget as a `member` section.
 */
export async function extractArchive(
  bytes: Uint8Array,
  kind: 'zip' | 'gz',
  name: string,
  budget: TextBudget,
  limits: ArchiveLimits,
  extractMember: MemberExtractor,
): Promise<ArchiveMember[]> {
  const members: ArchiveMember[] = [];
  await expand(bytes, kind, name, '', 1, { expanded: 0, members: 0 }, budget, limits, extractMember, members);
  return members;
}

async function expand(
  bytes: Uint8Array,
  kind: 'zip' | 'gz',
  name: string,
  prefix: string,
  depth: number,
  state: ArchiveState,
  budget: TextBudget,
  limits: ArchiveLimits,
  extractMember: MemberExtractor,
  out: ArchiveMember[],
): Promise<void> {
  const entries = kind === 'zip' ? await zipEntries(bytes) : [gzipEntry(bytes, name)];
  for (const entry of entries) {
    const path = `${prefix}${entry.path}`;
    const record = (status: InspectionStatus, reason: string) => out.push({ path, status, reason });
    if (budget.full) {
      record('Truncated', `not read: the text limit of ${limits.maxTextChars} characters was reached`);
      continue;
    }
    if (++state.members > limits.maxArchiveMembers) {
      record('SizeExceeded', `not read: the archive has more than ${limits.maxArchiveMembers} members`);
      continue;
    }
    if (entry.declaredSize > limits.maxFileBytes) {
      record('SizeExceeded', `the member has ${entry.declaredSize} bytes, more than ${limits.maxFileBytes}`);
      continue;
    }
    const ratio = entry.declaredSize / Math.max(1, entry.compressedSize);
    if (ratio > limits.maxCompressionRatio) {
      record(
        'Failed',
        `the member expands ${Math.round(ratio)} times, more than ${limits.maxCompressionRatio} (a zip bomb?)`,
      );
      continue;
    }
    if (state.expanded + entry.declaredSize > limits.maxUncompressedBytes) {
      record(
        'SizeExceeded',
        `not read: the archive expands to more than ${limits.maxUncompressedBytes} bytes`,
      );
      continue;
    }
    let content: Uint8Array;
    try {
      content = await entry.read(Math.min(limits.maxFileBytes, limits.maxUncompressedBytes - state.expanded));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      record(
        error instanceof ExtractionError ? error.status : 'Failed',
        `the member cannot be read (${message})`,
      );
      continue;
    }
    state.expanded += content.byteLength;
    const extension = extensionOf(entry.path);
    const nested = extension === 'zip' ? 'zip' : extension === 'gz' ? 'gz' : undefined;
    if (nested) {
      if (depth >= limits.maxArchiveDepth) {
        record('Unsupported', `an archive nested deeper than ${limits.maxArchiveDepth} levels is not opened`);
        continue;
      }
      try {
        await expand(
          content,
          nested,
          entry.path,
          `${path}/`,
          depth + 1,
          state,
          budget,
          limits,
          extractMember,
          out,
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        record(error instanceof ExtractionError ? error.status : 'Failed', message);
      }
      continue;
    }
    budget.startSection('member', state.members, path);
    const result = await extractMember(content, extension, budget);
    record(result.status, result.reason);
  }
}

interface Entry {
  readonly path: string;
  readonly declaredSize: number;
  readonly compressedSize: number;
  /** The member's bytes; fails beyond `maxBytes` whatever the header declared. */
  read(maxBytes: number): Promise<Uint8Array>;
}

async function zipEntries(bytes: Uint8Array): Promise<Entry[]> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/encrypted/i.test(message)) throw new ExtractionError('the zip entries are encrypted', 'Encrypted');
    throw new ExtractionError(`the archive is not a readable zip (${message})`, 'Failed');
  }
  const entries: Entry[] = [];
  zip.forEach((path, file) => {
    if (file.dir) return;
    const sizes = (file as unknown as EntryWithSizes)._data;
    entries.push({
      path,
      declaredSize: sizes?.uncompressedSize ?? 0,
      compressedSize: sizes?.compressedSize ?? 0,
      async read(maxBytes) {
        const content = await file.async('uint8array');
        if (content.byteLength > maxBytes)
          throw new ExtractionError(`it expands beyond ${maxBytes} bytes`, 'SizeExceeded');
        return content;
      },
    });
  });
  return entries;
}

/** The one file of a gzip stream: its name from the header (FNAME), else the archive's without `.gz`. */
function gzipEntry(bytes: Uint8Array, archiveName: string): Entry {
  const fallback = archiveName.replace(/\.gz$/i, '') || 'member';
  // The trailer's ISIZE is the size modulo 2^32: a hint, checked again while inflating.
  const declared =
    bytes.length >= 18
      ? Buffer.from(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).readUInt32LE(0)
      : 0;
  return {
    path: gzipName(bytes) ?? fallback,
    declaredSize: declared,
    compressedSize: bytes.length,
    read(maxBytes) {
      try {
        return Promise.resolve(gunzipSync(bytes, { maxOutputLength: maxBytes }));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ERR_BUFFER_TOO_LARGE')
          return Promise.reject(new ExtractionError(`it expands beyond ${maxBytes} bytes`, 'SizeExceeded'));
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

function gzipName(bytes: Uint8Array): string | undefined {
  const flags = bytes[3] ?? 0;
  if ((flags & 0x08) === 0 || bytes.length < 10) return undefined;
  let at = 10;
  if (flags & 0x04) at += 2 + ((bytes[10] ?? 0) | ((bytes[11] ?? 0) << 8)); // FEXTRA
  const end = bytes.indexOf(0, at);
  if (end <= at) return undefined;
  const name = Buffer.from(bytes.subarray(at, end)).toString('latin1');
  return name.slice(name.lastIndexOf('/') + 1) || undefined;
}
