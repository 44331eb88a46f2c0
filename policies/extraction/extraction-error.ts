/** The statuses an extractor can end with when it yields no text. */
export type ExtractionFailureStatus = 'Unsupported' | 'Encrypted' | 'Failed' | 'SizeExceeded';

/** Thrown when a file's text cannot be extracted: it carries the status and a reason a user can read. */
export class ExtractionError extends Error {
  constructor(
    message: string,
    readonly status: ExtractionFailureStatus,
  ) {
    super(message);
    this.name = 'ExtractionError';
  }
}
