/**
 * Collects extracted text up to a number of characters. Extractors stop reading a document once it
 * is full, so a huge spreadsheet costs no more than its first million characters.
 */
export class TextBudget {
  private readonly chunks: string[] = [];
  private length = 0;
  /** True once text had to be cut. */
  truncated = false;

  constructor(readonly maxChars: number) {}

  /** Appends text; returns false when the budget is full and the caller should stop reading. */
  add(text: string): boolean {
    if (this.truncated) return false;
    const room = this.maxChars - this.length;
    if (text.length > room) {
      this.chunks.push(text.slice(0, room));
      this.length = this.maxChars;
      this.truncated = true;
      return false;
    }
    this.chunks.push(text);
    this.length += text.length;
    return true;
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
