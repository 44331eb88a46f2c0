import { ExtractionError } from './extraction-error';
import type { TextBudget } from './text-budget';

const SNIFF_BYTES = 8192;

/**
 * Decodes a text file into the budget: UTF-8 (with or without BOM), UTF-16 with a BOM or with the
 * zero bytes of ASCII text in UTF-16. Only as many bytes as the budget can hold are decoded.
 */
export function extractPlainText(bytes: Uint8Array, budget: TextBudget): void {
  const encoding = textEncodingOf(bytes);
  if (encoding === undefined)
    throw new ExtractionError('the file is named as text but its content is binary', 'Unsupported');
  // A UTF-8 character never yields more UTF-16 units than it has bytes, and UTF-16 uses two bytes a unit.
  const bytesNeeded = encoding === 'utf-8' ? budget.maxChars * 4 : budget.maxChars * 2 + 2;
  const text = new TextDecoder(encoding).decode(bytes.subarray(0, bytesNeeded));
  budget.add(text);
  if (bytes.length > bytesNeeded) budget.truncated = true;
}

/** The encoding of text content, or undefined when the bytes do not look like text at all. */
export function textEncodingOf(bytes: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const head = bytes.subarray(0, SNIFF_BYTES);
  let zerosEven = 0;
  let zerosOdd = 0;
  let controls = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if (b === 0) {
      if (i % 2 === 0) zerosEven++;
      else zerosOdd++;
    } else if (b < 9 || (b > 13 && b < 32 && b !== 27)) controls++;
  }
  const half = head.length / 2;
  if (zerosOdd > half * 0.4 && zerosEven === 0) return 'utf-16le';
  if (zerosEven > half * 0.4 && zerosOdd === 0) return 'utf-16be';
  if (zerosEven + zerosOdd > 0 || controls > head.length * 0.05) return undefined;
  return 'utf-8';
}
