import { importEsm } from '../esm-import';
import { ExtractionError } from './extraction-error';
import type { TextBudget } from './text-budget';

/** The part of pdfjs-dist's API this library uses. */
interface PdfJs {
  getDocument(params: Record<string, unknown>): PdfLoadingTask;
  PDFWorker: new (params: { verbosity: number }) => unknown;
}
interface PdfLoadingTask {
  readonly promise: Promise<PdfDocument>;
  destroy(): Promise<void>;
}
interface PdfDocument {
  readonly numPages: number;
  getPage(n: number): Promise<PdfPage>;
}
interface PdfPage {
  getTextContent(): Promise<{ items: Array<{ str?: string; hasEOL?: boolean }> }>;
  cleanup(): boolean;
}

let pdfjs: Promise<{ lib: PdfJs; worker: unknown }> | undefined;

/**
 * pdf.js and its worker side, loaded once per thread. The legacy build's core-js polyfills replace
 * `Array.prototype.push` (Node 20 fails one edge case of its spec) and `JSON.parse` with functions
 * written in JavaScript, several times slower, for everything that runs in the thread after the
 * first PDF: the native ones are put back. The worker side runs in this thread (no worker threads
 * in Node): one PDFWorker serves every document, instead of one set up per document.
 */
function loadPdfJs(): Promise<{ lib: PdfJs; worker: unknown }> {
  pdfjs ??= (async () => {
    const push = Object.getOwnPropertyDescriptor(Array.prototype, 'push')!;
    const parse = Object.getOwnPropertyDescriptor(JSON, 'parse')!;
    try {
      const lib = await importEsm<PdfJs>('pdfjs-dist/legacy/build/pdf.mjs');
      const workerSide = await importEsm<object>('pdfjs-dist/legacy/build/pdf.worker.mjs');
      // pdf.js looks here for the worker side before importing it itself.
      (globalThis as { pdfjsWorker?: object }).pdfjsWorker = workerSide;
      return { lib, worker: new lib.PDFWorker({ verbosity: 0 }) };
    } finally {
      Object.defineProperty(Array.prototype, 'push', push);
      Object.defineProperty(JSON, 'parse', parse);
    }
  })();
  return pdfjs;
}

/** The PDF starts with its magic within the first kilobyte, as readers accept it. */
export function isPdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

/**
 * The text of a PDF, page by page, with Mozilla's pdf.js (the legacy build, which runs on Node 20, in
 * this thread: no worker). A password-protected PDF is `Encrypted`; one pdf.js cannot parse is `Failed`.
 */
export async function extractPdfText(bytes: Uint8Array, budget: TextBudget): Promise<void> {
  const { lib, worker } = await loadPdfJs();
  const task = lib.getDocument({
    data: new Uint8Array(bytes), // pdf.js may take ownership of the buffer: give it a copy
    worker,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  try {
    const doc = await task.promise;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      budget.startSection('page', n);
      let text = '';
      for (const item of (await page.getTextContent()).items) {
        if (item.str !== undefined) text += item.str + (item.hasEOL ? '\n' : ' ');
      }
      page.cleanup();
      if (!budget.add(`${text}\n`)) return;
    }
  } catch (error) {
    throw toExtractionError(error);
  } finally {
    await task.destroy();
  }
}

function toExtractionError(error: unknown): ExtractionError {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'PasswordException') {
    return new ExtractionError('the PDF is protected by a password', 'Encrypted');
  }
  return new ExtractionError(
    `the PDF cannot be read (${typeof message === 'string' ? message : String(error)})`,
    'Failed',
  );
}
