const folded = new Map<string, string>();

// One character in, one character out, so offsets in the folded text are offsets in the original.
function foldChar(ch: string): string {
  let out = folded.get(ch);
  if (out === undefined) {
    const bare = ch
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase();
    const lower = ch.toLowerCase();
    out = bare.length === 1 ? bare : lower.length === 1 ? lower : ch;
    folded.set(ch, out);
  }
  return out;
}

/**
 * `text` lower-cased and without accents (`Zürich` → `zurich`), character for character: the result
 * has the same length, so a match in it is at the same offsets in `text`. Characters whose folded
 * form is longer (`ß`, ligatures) stay as they are.
 */
export function foldText(text: string): string {
  return text.replace(/[A-Z]|[^\u0020-\u007e\t\n\r]/g, foldChar);
}
