import JSZip from 'jszip';
import { ExtractionError } from './extraction-error';

/** The first bytes of a zip archive, the container of docx, xlsx and pptx. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

// jszip keeps each entry's declared uncompressed size here; it is not in its typings.
interface EntryWithSize {
  readonly _data?: { readonly uncompressedSize?: number };
}

/**
 * Opens an Office Open XML package. A corrupt zip or one whose parts would expand beyond
 * `maxUncompressedBytes` (a zip bomb) fails; a zip with encrypted entries is reported as encrypted.
 */
export async function openOfficeZip(bytes: Uint8Array, maxUncompressedBytes: number): Promise<JSZip> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/encrypted/i.test(message)) throw new ExtractionError('the zip entries are encrypted', 'Encrypted');
    throw new ExtractionError(`the file is not a readable Office document (${message})`, 'Failed');
  }
  let total = 0;
  zip.forEach((_path, entry) => {
    total += (entry as unknown as EntryWithSize)._data?.uncompressedSize ?? 0;
  });
  if (total > maxUncompressedBytes) {
    throw new ExtractionError(
      `the document expands to ${total} bytes, more than ${maxUncompressedBytes}`,
      'Failed',
    );
  }
  return zip;
}

/** Reads one part of the package as text, or undefined when it is absent. */
export async function readPart(zip: JSZip, path: string): Promise<string | undefined> {
  const entry = zip.file(path);
  if (!entry) return undefined;
  try {
    return await entry.async('string');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ExtractionError(`the part ${path} cannot be read (${message})`, 'Failed');
  }
}

/** The paths of parts matching `pattern`, in the numeric order of their names (slide2 before slide10). */
export function partsMatching(zip: JSZip, pattern: RegExp): string[] {
  const paths = Object.keys(zip.files).filter((p) => pattern.test(p));
  return paths.sort((a, b) => {
    const [prefixA, numberA] = numbered(a);
    const [prefixB, numberB] = numbered(b);
    return prefixA === prefixB ? numberA - numberB : prefixA < prefixB ? -1 : 1;
  });
}

/** The number of a numbered part (`xl/worksheets/sheet3.xml`: 3; 0 for none). */
export function partNumber(path: string): number {
  return numbered(path)[1];
}

function numbered(path: string): [string, number] {
  const m = /^(.*?)(\d+)\.xml$/.exec(path);
  return m ? [m[1]!, Number(m[2])] : [path, 0];
}
