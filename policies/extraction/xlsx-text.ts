import type JSZip from 'jszip';
import type { TableCell } from './column-headers';
import { tableToText } from './column-headers';
import { ExtractionError } from './extraction-error';
import { partNumber, partsMatching, readPart } from './office-zip';
import type { TextBudget } from './text-budget';
import { decodeXmlEntities } from './xml-text';

const SHARED_STRING = /<si>([\s\S]*?)<\/si>/g;
const TEXT_RUN = /<t(?:\s[^>]*)?>([^<]*)<\/t>/g;
const ROW = /<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g;
const CELL = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
const VALUE = /<v>([^<]*)<\/v>/;
const TYPE = /\bt="([a-zA-Z]+)"/;
const COLUMN = /\br="([A-Z]+)\d+"/;

/**
 * The text of a workbook, sheet by sheet: a line per row, cells separated by tabs. Shared strings are
 * resolved into their cells. The first row of a sheet is its header: a bare number below a header cell
 * is written "SSN: 587349021" (see column-headers.ts).
 */
export async function extractXlsxText(zip: JSZip, budget: TextBudget): Promise<void> {
  if (!zip.file('xl/workbook.xml')) {
    throw new ExtractionError('the package has no xl/workbook.xml: not an Excel workbook', 'Failed');
  }
  const shared = sharedStrings((await readPart(zip, 'xl/sharedStrings.xml')) ?? '');
  for (const part of partsMatching(zip, /^xl\/worksheets\/sheet\d+\.xml$/)) {
    const xml = await readPart(zip, part);
    if (xml === undefined) continue;
    budget.startSection('sheet', partNumber(part));
    const rows = (function* () {
      for (const row of xml.matchAll(ROW)) yield rowCells(row[1] ?? '', shared);
    })();
    tableToText(rows, (line) => budget.add(line));
    if (budget.full) return;
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

function rowCells(rowXml: string, shared: readonly string[]): TableCell[] {
  const cells: TableCell[] = [];
  for (const cell of rowXml.matchAll(CELL)) {
    const attributes = cell[1]!;
    const column = COLUMN.exec(attributes)?.[1];
    const type = TYPE.exec(attributes)?.[1];
    const body = cell[2] ?? '';
    if (type === 'inlineStr') {
      let text = '';
      for (const t of body.matchAll(TEXT_RUN)) text += t[1]!;
      cells.push({ column, text: decodeXmlEntities(text) });
      continue;
    }
    const value = VALUE.exec(body)?.[1];
    if (value === undefined) continue;
    cells.push({ column, text: type === 's' ? (shared[Number(value)] ?? '') : decodeXmlEntities(value) });
  }
  return cells;
}
