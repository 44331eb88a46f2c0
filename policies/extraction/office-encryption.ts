import CFB from 'cfb';

/** The first bytes of an OLE2 compound file (CFB): legacy Office files and encrypted Office files. */
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const;

/** True when the bytes start like an OLE2 compound file. */
export function isCompoundFile(bytes: Uint8Array): boolean {
  return CFB_MAGIC.every((b, i) => bytes[i] === b);
}

/** What an OLE2 compound file holds, as far as inspection cares. */
export type CompoundFileKind = 'encrypted-office' | 'legacy-office' | 'corrupt';

/**
 * Classifies a compound file with SheetJS's cfb reader. A password-protected docx/xlsx/pptx is not a
 * zip at all: Office wraps the encrypted package in a compound file with the streams
 * `EncryptionInfo` and `EncryptedPackage` (MS-OFFCRYPTO). Anything else is a legacy .doc/.xls/.ppt.
 */
export function classifyCompoundFile(bytes: Uint8Array): CompoundFileKind {
  try {
    const container = CFB.read(bytes, { type: 'array' });
    const names = new Set(container.FileIndex.map((entry) => entry.name));
    return names.has('EncryptionInfo') && names.has('EncryptedPackage')
      ? 'encrypted-office'
      : 'legacy-office';
  } catch {
    return 'corrupt';
  }
}
