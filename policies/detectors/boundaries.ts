/**
 * Where a value may begin and end, shared by the number detectors as regex source. A value is
 * delimited by any character that is neither a letter nor a digit (comma, semicolon, pipe, colon,
 * equals, quotes, brackets, slashes, tabs, whitespace) or by the start or end of the text, so
 * `Ann,4556737586899855,12/27` holds a card. Two exceptions keep a number whole: a dot between digits
 * (`3.14159...`, a decimal) and a dash between digits (`12-536-22-8741`, a longer dashed number).
 * Patterns using them need the `u` flag.
 */
export const VALUE_START = String.raw`(?<![\p{L}\p{N}]|\p{N}[.-])`;

/** The end of a value: see {@link VALUE_START}. */
export const VALUE_END = String.raw`(?![\p{L}\p{N}]|[.-]\p{N})`;
