/** Where a part of a document (a PDF page, a sheet, a slide, a slide's notes) starts in its text. */
export interface TextSection {
  readonly kind: 'page' | 'sheet' | 'slide' | 'notes' | 'member';
  /** 1-based: the page, the sheet, the slide the notes belong to, or the archive member. */
  readonly number: number;
  /** An archive member's path. */
  readonly name?: string;
  /** The character offset of its first character in the extracted text. */
  readonly start: number;
}

/**
 * Collects extracted text up to a number of characters. Extractors stop reading a document once it
 * is full, so a huge spreadsheet costs no more than its first million characters.
 */
export class TextBudget {
  private readonly chunks: string[] = [];
  private size = 0;
  private readonly starts: TextSection[] = [];
  /** True once text had to be cut. */
  truncated = false;

  constructor(readonly maxChars: number) {}

  /** Appends text; returns false when the budget is full and the caller should stop reading. */
  add(text: string): boolean {
    if (this.truncated) return false;
    const room = this.maxChars - this.size;
    if (text.length > room) {
      this.chunks.push(text.slice(0, room));
      this.size = this.maxChars;
      this.truncated = true;
      return false;
    }
    this.chunks.push(text);
    this.size += text.length;
    return true;
  }

  /** Marks the start of a page, sheet or slide at the current end of the text. */
  startSection(kind: TextSection['kind'], number: number, name?: string): void {
    if (!this.truncated) this.starts.push({ kind, number, start: this.size, ...(name ? { name } : {}) });
  }

  /** The sections marked so far, in text order. */
  get sections(): readonly TextSection[] {
    return this.starts;
  }

  /** Characters collected so far. */
  get length(): number {
    return this.size;
  }

  /** True when no more text fits. */
  get full(): boolean {
    return this.truncated;
  }

  /** The text collected so far. */
  text(): string {
    return this.chunks.join('');
  }
}
