import type JSZip from 'jszip';
import { ExtractionError } from './extraction-error';
import { partsMatching, readPart } from './office-zip';
import type { TextBudget } from './text-budget';
import { decodeXmlEntities } from './xml-text';

const SHARED_STRING = /<si>([\s\S]*?)<\/si>/g;
const TEXT_RUN = /<t(?:\s[^>]*)?>([^<]*)<\/t>/g;
const ROW = /<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g;
const CELL = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
const VALUE = /<v>([^<]*)<\/v>/;
const TYPE = /\bt="([a-zA-Z]+)"/;

/**
 * The text of a workbook, sheet by sheet: a line per row, cells separated by tabs, so a header such
 * as "SSN" stays in the text next to the values. Shared strings are resolved into their cells.
 */
export async function extractXlsxText(zip: JSZip, budget: TextBudget): Promise<void> {
  if (!zip.file('xl/workbook.xml')) {
    throw new ExtractionError('the package has no xl/workbook.xml: not an Excel workbook', 'Failed');
  }
  const shared = sharedStrings((await readPart(zip, 'xl/sharedStrings.xml')) ?? '');
  for (const part of partsMatching(zip, /^xl\/worksheets\/sheet\d+\.xml$/)) {
    const xml = await readPart(zip, part);
    if (xml === undefined) continue;
    for (const row of xml.matchAll(ROW)) {
      if (!budget.add(`${rowText(row[1] ?? '', shared)}\n`)) return;
    }
  }
}

function sharedStrings(xml: string): string[] {
  const strings: string[] = [];
  for (const si of xml.matchAll(SHARED_STRING)) {
    let text = '';
    for (const t of si[1]!.matchAll(TEXT_RUN)) text += t[1]!;
    strings.push(decodeXmlEntities(text));
  }
  return strings;
}

function rowText(rowXml: string, shared: readonly string[]): string {
  const cells: string[] = [];
  for (const cell of rowXml.matchAll(CELL)) {
    const type = TYPE.exec(cell[1]!)?.[1];
    const body = cell[2] ?? '';
    if (type === 'inlineStr') {
      let text = '';
      for (const t of body.matchAll(TEXT_RUN)) text += t[1]!;
      cells.push(decodeXmlEntities(text));
      continue;
    }
    const value = VALUE.exec(body)?.[1];
    if (value === undefined) continue;
    cells.push(type === 's' ? (shared[Number(value)] ?? '') : decodeXmlEntities(value));
  }
  return cells.join('\t');
}
