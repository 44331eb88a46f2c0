/** A table cell: its column key (a letter in a workbook, an index in a CSV file) and its text. */
export interface TableCell {
  readonly column: string | undefined;
  readonly text: string;
}

// Values that mean little without their column name: 587349021 is an SSN only under "SSN".
const BARE_IDENTIFIER = /^[\d\s().+/-]{7,40}$/;
const MAX_HEADER_LENGTH = 40;

/** The header names of a table's first row, by column; numbers are not names. */
export function headersOf(cells: readonly TableCell[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (const { column, text } of cells) {
    const name = text.trim();
    if (column !== undefined && name && name.length <= MAX_HEADER_LENGTH && !BARE_IDENTIFIER.test(name)) {
      headers.set(column, name);
    }
  }
  return headers;
}

/**
 * The cell's text, with its column header before it when the value is a bare number ("SSN: 587349021"),
 * so the header serves as a context word, as table-aware DLP engines use column names.
 */
export function withHeader(cell: TableCell, headers: ReadonlyMap<string, string>): string {
  const header = cell.column === undefined ? undefined : headers.get(cell.column);
  return header && BARE_IDENTIFIER.test(cell.text) ? `${header}: ${cell.text}` : cell.text;
}

/** Rows of cells as text: the first row as the header, a line per row, tabs between cells. */
export function tableToText(rows: Iterable<readonly TableCell[]>, add: (line: string) => boolean): void {
  let headers: Map<string, string> | undefined;
  for (const cells of rows) {
    let line: string;
    if (headers === undefined) {
      headers = headersOf(cells);
      line = cells.map((c) => c.text).join('\t');
    } else {
      const h = headers;
      line = cells.map((c) => withHeader(c, h)).join('\t');
    }
    if (!add(`${line}\n`)) return;
  }
}
