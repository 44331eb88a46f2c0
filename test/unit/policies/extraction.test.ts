import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { compilePolicySet, inspectFile } from '../../../policies';
import { extractText } from '../../../policies/extraction/extract-text';
import { buildPdf } from '../../fixtures/corpus/pdf-writer';
import { buildDocx, buildPptx, buildXlsx } from '../../fixtures/corpus/ooxml-writers';

const limits = { maxTextChars: 1_000_000, maxUncompressedBytes: 64 * 1024 * 1024 };
const zipOf = async (files: Record<string, string>) => {
  const zip = new JSZip();
  for (const [path, content] of Object.entries(files)) zip.file(path, content);
  return zip.generateAsync({ type: 'nodebuffer' });
};

describe('text extraction', () => {
  it('a Word document keeps paragraphs, tabs, entities and its headers', async () => {
    const w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
    const bytes = await zipOf({
      'word/document.xml': `<w:document ${w}><w:body><w:p><w:r><w:t>Tom &amp; Jerry</w:t><w:tab/><w:t xml:space="preserve"> &#65;&#x42;</w:t></w:r></w:p><w:p><w:r><w:t>second</w:t></w:r></w:p></w:body></w:document>`,
      'word/header1.xml': `<w:hdr ${w}><w:p><w:r><w:t>Confidential</w:t></w:r></w:p></w:hdr>`,
    });
    const result = await extractText(bytes, 'docx', limits);
    expect(result).toMatchObject({
      status: 'Completed',
      format: 'docx',
      text: 'Tom & Jerry\t AB\nsecond\nConfidential\n',
    });
  });

  it('a workbook resolves shared strings into rows of tab-separated cells', async () => {
    const result = await extractText(await buildXlsx(['SSN 536-22-8741', 'b']), 'xlsx', limits);
    expect(result.text).toBe('row 1\tSSN 536-22-8741\t10\nrow 2\tb\t20\n');
  });

  it('a workbook puts a column header before the bare numbers below it', async () => {
    const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
    const cell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
    const sheet =
      `<worksheet ${ns}><sheetData>` +
      `<row r="1">${cell('A1', 'Name')}${cell('B1', 'SSN')}${cell('C1', 'Mobile phone')}</row>` +
      `<row r="2">${cell('A2', 'Bob')}<c r="B2"><v>587349021</v></c><c r="C2"><v>4155552671</v></c></row>` +
      `<row r="3">${cell('A3', 'Ann')}<c r="C3"><v>12</v></c></row>` +
      '</sheetData></worksheet>';
    const bytes = await zipOf({ 'xl/workbook.xml': `<workbook ${ns}/>`, 'xl/worksheets/sheet1.xml': sheet });
    const result = await extractText(bytes, 'xlsx', limits);
    expect(result.text).toBe(
      'Name\tSSN\tMobile phone\nBob\tSSN: 587349021\tMobile phone: 4155552671\nAnn\t12\n',
    );
    const policy = {
      id: 'pii',
      name: 'PII',
      severity: 'low' as const,
      content: { detectors: [{ detector: 'us_ssn' as const }, { detector: 'phone_number' as const }] },
    };
    const set = compilePolicySet({ version: 1, templates: [], policies: [policy] });
    const inspected = await inspectFile(
      { name: 'staff.xlsx', size: bytes.length, content: bytes, sharing: { collaborators: [] } },
      set,
    );
    expect(inspected.detectorCounts).toEqual({ us_ssn: 1, phone_number: 1 });
  });

  it('a CSV file becomes tab-separated rows with column headers before bare numbers', async () => {
    const csv = Buffer.from('name,SSN,phone\r\n"Doe, Bob",587349021,4155552671\r\n');
    const result = await extractText(csv, 'csv', limits);
    expect(result).toMatchObject({ status: 'Completed', format: 'delimited' });
    expect(result.text).toBe('name\tSSN\tphone\nDoe, Bob\tSSN: 587349021\tphone: 4155552671\n');
  });

  it('a semicolon CSV and a TSV are split on their own delimiter', async () => {
    const semicolon = await extractText(Buffer.from('name;SSN\nBob;587349021\n'), 'csv', limits);
    const tsv = await extractText(Buffer.from('name\tSSN\nBob\t587349021\n'), 'tsv', limits);
    expect(semicolon.text).toBe('name\tSSN\nBob\tSSN: 587349021\n');
    expect(tsv.text).toBe(semicolon.text);
  });

  it('a CSV file that does not parse is inspected as plain text', async () => {
    const broken = Buffer.from('a,b\n"unclosed,SSN 536-22-8741\n');
    const result = await extractText(broken, 'csv', limits);
    expect(result.status).toBe('Completed');
    expect(result.text).toBe('a,b\n"unclosed,SSN 536-22-8741\n');
  });

  it('a presentation lists slides in numeric order', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`);
    const result = await extractText(await buildPptx(lines), 'pptx', limits);
    expect(result.text.trim().split('\n')).toEqual(lines);
  });

  it('a PDF yields its lines in order', async () => {
    const result = await extractText(buildPdf(['first line', 'second (with parentheses)']), 'pdf', limits);
    expect(result.status).toBe('Completed');
    expect(result.text).toContain('first line');
    expect(result.text).toContain('second (with parentheses)');
  });

  it('a PDF line drawn in several pieces (Tj, TJ with kerning) reads as one line', async () => {
    const content =
      'BT /F1 10 Tf 14 TL 40 760 Td (SSN: 536-22-) Tj (8741) Tj T* (Card 4539) Tj [( 1488 03) -20 (43 6467)] TJ ET';
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    ];
    let pdf = '%PDF-1.4\n';
    const offsets = objects.map((o, i) => {
      const at = pdf.length;
      pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
      return `${String(at).padStart(10, '0')} 00000 n \n`;
    });
    const xref = pdf.length;
    pdf += `xref\n0 6\n0000000000 65535 f \n${offsets.join('')}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    const result = await extractText(Buffer.from(pdf, 'latin1'), 'pdf', limits);
    expect(
      result.text
        .split('\n')
        .map((l) => l.trim())
        .slice(0, 2),
    ).toEqual(['SSN: 536-22-8741', 'Card 4539 1488 0343 6467']);
  });

  it('a PDF with only an owner password opens without one, one with a user password is Encrypted', async () => {
    const ownerOnly = await extractText(buildPdf(['owner only'], { user: '', owner: 'boss' }), 'pdf', limits);
    expect([ownerOnly.status, ownerOnly.text.trim()]).toEqual(['Completed', 'owner only']);
    const locked = await extractText(
      buildPdf(['locked'], { user: 'open sesame', owner: 'boss' }),
      'pdf',
      limits,
    );
    expect([locked.status, locked.reason, locked.text]).toEqual([
      'Encrypted',
      'the PDF is protected by a password',
      '',
    ]);
  });

  it('HTML loses its tags but keeps comments and decodes entities', async () => {
    const html = Buffer.from('<p>a&lt;b</p><!-- key: 42 --><script>var x = 1;</script>');
    expect((await extractText(html, 'html', limits)).text.replace(/\s+/g, ' ').trim()).toBe(
      'a<b key: 42 var x = 1;',
    );
  });

  it('UTF-8 with a BOM and UTF-16 both decode', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('héllo')]);
    const utf16be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('hi', 'utf16le').swap16()]);
    expect((await extractText(bom, 'txt', limits)).text).toBe('héllo');
    expect((await extractText(utf16be, 'txt', limits)).text).toBe('hi');
  });

  it('a docx that is not a zip, or a zip without a document, fails with a reason', async () => {
    const notZip = await extractText(Buffer.from('plain text'), 'docx', limits);
    expect([notZip.status, notZip.reason]).toEqual([
      'Failed',
      'the file is not a valid docx package (not a zip)',
    ]);
    const noDocument = await extractText(await zipOf({ 'readme.txt': 'hi' }), 'pptx', limits);
    expect(noDocument.status).toBe('Failed');
    expect(noDocument.reason).toMatch(/presentation\.xml/);
  });

  it('an unknown extension is read as text when the bytes are text, and as unsupported otherwise', async () => {
    expect(await extractText(Buffer.from('just words'), 'weird', limits)).toMatchObject({
      status: 'Completed',
      format: 'text',
    });
    expect(await extractText(await buildDocx(['x']), 'zip2', limits)).toMatchObject({
      status: 'Unsupported',
    });
  });

  it('a PDF named without extension is recognised by its magic bytes', async () => {
    expect(await extractText(buildPdf(['hello pdf']), undefined, limits)).toMatchObject({
      status: 'Completed',
      format: 'pdf',
    });
  });
});

describe('pdf.js in a long-running thread', () => {
  it('leaves Array.prototype.push and JSON.parse native after a PDF (its polyfills are several times slower)', async () => {
    // A process of its own: under Jest, pdf.js loads into another realm than the test's.
    const root = join(__dirname, '../../..');
    const script = `
      const push = Array.prototype.push;
      const parse = JSON.parse;
      const load = async (path) => { const m = await import(path); return m.default ?? m; };
      const { extractText } = await load(${JSON.stringify(join(root, 'policies/extraction/extract-text.ts'))});
      const { buildPdf } = await load(${JSON.stringify(join(root, 'test/fixtures/corpus/pdf-writer.ts'))});
      const r = await extractText(buildPdf(['hello']), 'pdf', { maxTextChars: 100, maxUncompressedBytes: 1e6 });
      console.log(JSON.stringify({ text: r.text, push: Array.prototype.push === push, parse: JSON.parse === parse }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '--eval',
      script,
    ]);
    expect(JSON.parse(stdout)).toEqual({ text: 'hello \n', push: true, parse: true });
  }, 30_000);
});
