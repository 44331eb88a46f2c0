import type { InspectionLimits } from '../inspection-limits';
import type { InspectionStatus } from '../inspection-status';
import { extractDelimitedText } from './delimited-text';
import type { DocumentFormat } from './document-format';
import { formatForExtension } from './document-format';
import { extractDocxText } from './docx-text';
import { ExtractionError } from './extraction-error';
import { classifyCompoundFile, isCompoundFile } from './office-encryption';
import { isZip, openOfficeZip } from './office-zip';
import { extractPdfText, isPdf } from './pdf-text';
import { extractPlainText, textEncodingOf } from './plain-text';
import { extractPptxText } from './pptx-text';
import type { TextSection } from './text-budget';
import { TextBudget } from './text-budget';
import type { ArchiveLimits, ArchiveMember } from './archive-text';
import { extractArchive, isGzip } from './archive-text';
import { resolveLimits } from '../inspection-limits';
import { extractXlsxText } from './xlsx-text';
import { markupToText } from './xml-text';

/** What text extraction yields: the text (possibly cut) or a status saying why there is none. */
export interface ExtractionResult {
  readonly status: InspectionStatus;
  readonly reason: string;
  readonly format?: DocumentFormat;
  readonly text: string;
  /** Where each page, sheet, slide or archive member starts in `text` (none for formats without them). */
  readonly sections: readonly TextSection[];
  /** Each member of an archive with its own status and reason (archives only). */
  readonly members?: readonly ArchiveMember[];
}

/**
 * Extracts the text of a file. Never throws: an unknown format is `Unsupported`, a password-protected
 * Office file or PDF `Encrypted`, a corrupt one `Failed`, text beyond the limit is cut (`Truncated`).
 * The extension picks the extractor; without a known one, the content's magic bytes do.
 */
export async function extractText(
  bytes: Uint8Array,
  extension: string | undefined,
  limits: Pick<InspectionLimits, 'maxTextChars' | 'maxUncompressedBytes'> & Partial<ArchiveLimits>,
  name = '',
): Promise<ExtractionResult> {
  const budget = new TextBudget(limits.maxTextChars);
  let format: DocumentFormat | undefined;
  try {
    format = chooseFormat(bytes, extension);
    if (format === 'zip' || format === 'gz') return await archiveResult(bytes, format, name, budget, limits);
    await extractInto(format, bytes, extension ?? '', budget, limits.maxUncompressedBytes);
  } catch (error) {
    if (error instanceof ExtractionError) {
      return { status: error.status, reason: error.message, format, text: '', sections: [] };
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 'Failed',
      reason: `text extraction failed: ${message}`,
      format,
      text: '',
      sections: [],
    };
  }
  const text = budget.text();
  if (budget.truncated) {
    return {
      status: 'Truncated',
      reason: `text cut at ${limits.maxTextChars} characters`,
      format,
      text,
      sections: budget.sections,
    };
  }
  return {
    status: 'Completed',
    reason: `${text.length} characters of ${format} text inspected`,
    format,
    text,
    sections: budget.sections,
  };
}

/**
 * An archive's result: `Completed` (or `Truncated`) when at least one member was inspected, the
 * members' own statuses listed; `Unsupported` when none is inspectable; `Failed` otherwise.
 */
async function archiveResult(
  bytes: Uint8Array,
  format: 'zip' | 'gz',
  name: string,
  budget: TextBudget,
  limits: Pick<InspectionLimits, 'maxTextChars' | 'maxUncompressedBytes'> & Partial<ArchiveLimits>,
): Promise<ExtractionResult> {
  const resolved = { ...resolveLimits(limits), maxTextChars: limits.maxTextChars };
  const members = await extractArchive(bytes, format, name, budget, resolved, async (content, ext, into) => {
    const inner = await extractText(content, ext, { ...resolved, maxTextChars: into.maxChars - into.length });
    if (inner.text.length > 0) into.add(`${inner.text}\n`);
    return { status: inner.status, reason: inner.reason };
  });
  const inspected = members.filter((m) => m.status === 'Completed' || m.status === 'Truncated');
  const text = budget.text();
  const sections = budget.sections;
  const summary = `${inspected.length} of ${members.length} members of the ${format} archive inspected`;
  if (inspected.length > 0) {
    const truncated = budget.truncated || inspected.some((m) => m.status === 'Truncated');
    const status = truncated ? 'Truncated' : 'Completed';
    const reason = truncated ? `${summary}; text cut at ${limits.maxTextChars} characters` : summary;
    return { status, reason, format, text, sections, members };
  }
  const status =
    members.length > 0 && members.every((m) => m.status === 'Unsupported') ? 'Unsupported' : 'Failed';
  const first = members.find((m) => m.status !== 'Unsupported') ?? members[0];
  const reason = first ? `${summary} (${first.path}: ${first.reason})` : `the ${format} archive is empty`;
  return { status, reason, format, text: '', sections: [], members };
}

function chooseFormat(bytes: Uint8Array, extension: string | undefined): DocumentFormat {
  // Office wraps a password-protected docx/xlsx/pptx in a compound file, whatever the extension says.
  if (isCompoundFile(bytes)) {
    const kind = classifyCompoundFile(bytes);
    if (kind === 'encrypted-office')
      throw new ExtractionError('the Office document is protected by a password', 'Encrypted');
    if (kind === 'legacy-office') {
      throw new ExtractionError(
        'legacy binary Office formats (.doc, .xls, .ppt) are not supported',
        'Unsupported',
      );
    }
    throw new ExtractionError('the file looks like an Office compound file but cannot be read', 'Failed');
  }
  const byExtension = formatForExtension(extension);
  if (byExtension) return byExtension;
  if (isPdf(bytes)) return 'pdf';
  if (isGzip(bytes)) return 'gz';
  if (!isZip(bytes) && bytes.length > 0 && textEncodingOf(bytes) !== undefined) return 'text';
  const shown = extension ? `.${extension}` : 'a file without extension';
  throw new ExtractionError(`the format of ${shown} is not supported for content inspection`, 'Unsupported');
}

async function extractInto(
  format: DocumentFormat,
  bytes: Uint8Array,
  extension: string,
  budget: TextBudget,
  maxUnzipped: number,
) {
  switch (format) {
    case 'text':
      return extractPlainText(bytes, budget);
    case 'delimited':
      return extractDelimitedText(bytes, extension.toLowerCase().replace(/^\./, ''), budget);
    case 'markup': {
      const raw = new TextBudget(budget.maxChars * 2); // tags take room: cut after stripping them
      extractPlainText(bytes, raw);
      budget.add(markupToText(raw.text()));
      if (raw.truncated) budget.truncated = true;
      return;
    }
    case 'pdf':
      return extractPdfText(bytes, budget);
    case 'zip':
    case 'gz':
      throw new ExtractionError('an archive is read by extractArchive', 'Failed'); // handled before
    case 'docx':
    case 'xlsx':
    case 'pptx': {
      if (!isZip(bytes))
        throw new ExtractionError(`the file is not a valid ${format} package (not a zip)`, 'Failed');
      const zip = await openOfficeZip(bytes, maxUnzipped);
      if (format === 'docx') return extractDocxText(zip, budget);
      if (format === 'xlsx') return extractXlsxText(zip, budget);
      return extractPptxText(zip, budget);
    }
  }
}
