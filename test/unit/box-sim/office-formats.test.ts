/** Unit: generated docx and xlsx open with an ordinary zip library and carry their text. */
import JSZip from 'jszip';
import { planContent, renderContent } from '../../../box-sim/content';
import { pdf } from '../../../box-sim/pdf';

describe('office formats', () => {
  test('a docx opens with JSZip and its document.xml holds the planted IBAN line', async () => {
    let file = 0;
    while (!planContent(2, file, 0, 'docx').planted.iban) file++;
    const zip = await JSZip.loadAsync(renderContent(2, file, 0, planContent(2, file, 0, 'docx')));
    expect(Object.keys(zip.files).sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'word/document.xml',
    ]);
    expect(await zip.file('word/document.xml')!.async('string')).toContain('Wire the deposit to IBAN ');
  });

  test('an xlsx opens with JSZip and its sheet holds inline strings', async () => {
    const zip = await JSZip.loadAsync(renderContent(2, 5, 0, planContent(2, 5, 0, 'xlsx')));
    const sheet = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
    expect(sheet).toContain('<c r="A1" t="inlineStr"><is><t>id</t></is></c>');
    expect(await zip.file('xl/workbook.xml')!.async('string')).toContain('<sheet name="Sheet1"');
  });

  test('a pdf has a consistent cross-reference table', () => {
    const bytes = pdf(['Hello (world)', 'Second line']).toString('latin1');
    const xref = Number(/startxref\n(\d+)/.exec(bytes)![1]);
    expect(bytes.slice(xref, xref + 4)).toBe('xref');
    const offsets = [...bytes.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    offsets.forEach((o, i) => expect(bytes.slice(o).startsWith(`${i + 1} 0 obj`)).toBe(true));
    expect(bytes).toContain('(Hello \\(world\\)) Tj');
  });
});
