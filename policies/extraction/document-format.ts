/** The families of files the library extracts text from. */
export const DOCUMENT_FORMATS = [
  'text',
  'delimited',
  'markup',
  'docx',
  'xlsx',
  'pptx',
  'pdf',
  'zip',
  'gz',
] as const;

/** A family of files sharing one text extractor. */
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** True when `value` is one of {@link DOCUMENT_FORMATS}. */
export function isDocumentFormat(value: unknown): value is DocumentFormat {
  return (DOCUMENT_FORMATS as readonly unknown[]).includes(value);
}

// prettier-ignore
const TEXT_EXTENSIONS = [
  // documents and data
  'txt', 'text', 'md', 'markdown', 'rst', 'json', 'jsonl', 'ndjson', 'log', 'rtf', 'tex',
  'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'properties', 'env', 'sql', 'vcf', 'ics', 'eml', 'boxnote',
  // keys and certificates
  'pem', 'key', 'crt', 'cer', 'pub',
  // code
  'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'py', 'rb', 'php', 'java', 'kt', 'scala', 'go', 'rs', 'c', 'h',
  'cc', 'cpp', 'hpp', 'cs', 'swift', 'm', 'sh', 'bash', 'zsh', 'ps1', 'bat', 'pl', 'r', 'lua', 'tf', 'gradle',
] as const;

const MARKUP_EXTENSIONS = ['html', 'htm', 'xhtml', 'xml', 'svg'] as const;

const BY_EXTENSION: ReadonlyMap<string, DocumentFormat> = new Map<string, DocumentFormat>([
  ...TEXT_EXTENSIONS.map((e) => [e, 'text'] as const),
  ...MARKUP_EXTENSIONS.map((e) => [e, 'markup'] as const),
  ['csv', 'delimited'],
  ['tsv', 'delimited'],
  ...(['docx', 'docm', 'dotx', 'dotm'] as const).map((e) => [e, 'docx'] as const),
  ...(['xlsx', 'xlsm', 'xltx', 'xltm'] as const).map((e) => [e, 'xlsx'] as const),
  ...(['pptx', 'pptm', 'potx', 'ppsx'] as const).map((e) => [e, 'pptx'] as const),
  ['pdf', 'pdf'],
  ['zip', 'zip'],
  ['gz', 'gz'],
]);

/** The format a file extension announces (without the dot, any case), or undefined if unknown. */
export function formatForExtension(extension: string | undefined): DocumentFormat | undefined {
  return extension === undefined ? undefined : BY_EXTENSION.get(extension.toLowerCase().replace(/^\./, ''));
}

/** The extension of a file name, lower case without the dot; empty when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}

// prettier-ignore
const NOT_INSPECTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'bmp', 'tif', 'tiff', 'webp', 'heic', 'ico', 'psd', 'ai',
  'mp3', 'wav', 'aac', 'flac', 'm4a', 'ogg', 'mp4', 'mov', 'avi', 'mkv', 'wmv', 'webm',
  'tgz', 'bz2', 'xz', '7z', 'rar', 'tar', 'iso', 'dmg',
  'exe', 'dll', 'so', 'dylib', 'bin', 'class', 'jar', 'msi', 'apk',
  'doc', 'xls', 'ppt', 'odt', 'ods', 'odp', 'pages', 'numbers',
]);

/**
 * True when the extension names a format the library never inspects (images, media, archives,
 * binaries, legacy and non-Office documents): the scan need not download such a file.
 */
export function isNotInspectable(extension: string): boolean {
  return NOT_INSPECTABLE_EXTENSIONS.has(extension.toLowerCase());
}
