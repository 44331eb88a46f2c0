import type JSZip from 'jszip';
import { ExtractionError } from './extraction-error';
import { partsMatching, readPart } from './office-zip';
import type { TextBudget } from './text-budget';
import { decodeXmlEntities } from './xml-text';

// Text runs (<w:t>) are leaf elements, so one pass over the tokens that matter is enough: no DOM.
const TOKENS = /<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<\/w:p>|<w:tab\/>|<w:br\/>|<w:cr\/>/g;

/** The text of a Word document: body, then headers, footers, footnotes, endnotes and comments. */
export async function extractDocxText(zip: JSZip, budget: TextBudget): Promise<void> {
  if (!zip.file('word/document.xml')) {
    throw new ExtractionError('the package has no word/document.xml: not a Word document', 'Failed');
  }
  const parts = [
    'word/document.xml',
    ...partsMatching(zip, /^word\/(?:header|footer)\d*\.xml$/),
    ...['word/footnotes.xml', 'word/endnotes.xml', 'word/comments.xml'],
  ];
  for (const part of parts) {
    const xml = await readPart(zip, part);
    if (xml !== undefined && !budget.add(wordXmlToText(xml))) return;
  }
}

/** The text of one WordprocessingML part: a line per paragraph, tabs and breaks kept. */
export function wordXmlToText(xml: string): string {
  let text = '';
  for (const m of xml.matchAll(TOKENS)) {
    if (m[1] !== undefined) text += decodeXmlEntities(m[1]);
    else text += m[0] === '<w:tab/>' ? '\t' : '\n';
  }
  return text;
}
