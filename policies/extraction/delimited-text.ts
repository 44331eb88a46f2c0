import { parse } from 'csv-parse/sync';
import type { TableCell } from './column-headers';
import { tableToText } from './column-headers';
import { extractPlainText } from './plain-text';
import { TextBudget } from './text-budget';

/**
 * The text of a CSV or TSV file, parsed with csv-parse: a line per record, tabs between cells, and
 * bare numbers prefixed with their column header like a workbook's ("SSN: 587349021"). A file that
 * does not parse as CSV (an unclosed quote, say) is inspected as plain text instead: never lost.
 */
export function extractDelimitedText(bytes: Uint8Array, extension: string, budget: TextBudget): void {
  const raw = new TextBudget(budget.maxChars);
  extractPlainText(bytes, raw);
  const text = raw.text();
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: extension === 'tsv' ? '\t' : sniffDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
    });
  } catch {
    budget.add(text);
    if (raw.truncated) budget.truncated = true;
    return;
  }
  const rows = records.map((record): TableCell[] =>
    record.map((cell, i) => ({ column: String(i), text: cell })),
  );
  tableToText(rows, (line) => budget.add(line));
  if (raw.truncated) budget.truncated = true;
}

/** The delimiter of a CSV file: the most frequent of comma, semicolon and tab on its first line. */
function sniffDelimiter(text: string): string {
  const firstLine = text.slice(0, Math.max(0, text.indexOf('\n')) || 4096);
  const count = (c: string) => firstLine.split(c).length;
  return [',', ';', '\t'].reduce((best, c) => (count(c) > count(best) ? c : best), ',');
}
