import type JSZip from 'jszip';
import { ExtractionError } from './extraction-error';
import { partNumber, partsMatching, readPart } from './office-zip';
import type { TextBudget } from './text-budget';
import { decodeXmlEntities } from './xml-text';

const TOKENS = /<a:t(?:\s[^>]*)?>([^<]*)<\/a:t>|<\/a:p>|<a:br\/>/g;

/** The text of a presentation: every slide in order, then the speaker notes. */
export async function extractPptxText(zip: JSZip, budget: TextBudget): Promise<void> {
  if (!zip.file('ppt/presentation.xml')) {
    throw new ExtractionError(
      'the package has no ppt/presentation.xml: not a PowerPoint presentation',
      'Failed',
    );
  }
  const parts = [
    ...partsMatching(zip, /^ppt\/slides\/slide\d+\.xml$/),
    ...partsMatching(zip, /^ppt\/notesSlides\/notesSlide\d+\.xml$/),
  ];
  for (const part of parts) {
    const xml = await readPart(zip, part);
    if (xml === undefined) continue;
    budget.startSection(part.includes('notesSlide') ? 'notes' : 'slide', partNumber(part));
    if (!budget.add(drawingXmlToText(xml))) return;
  }
}

/** The text of one DrawingML part: a line per paragraph. */
export function drawingXmlToText(xml: string): string {
  let text = '';
  for (const m of xml.matchAll(TOKENS)) text += m[1] !== undefined ? decodeXmlEntities(m[1]) : '\n';
  return text;
}
