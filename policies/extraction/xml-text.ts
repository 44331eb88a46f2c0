const NAMED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Replaces XML's predefined entities, `&nbsp;` and numeric character references with their characters. */
export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity: string, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED[body.toLowerCase()] ?? entity;
  });
}

/**
 * The text of an HTML or XML document: tags and comment markers become spaces (comments keep their
 * words: a secret in a comment is still a secret), entities are decoded.
 */
export function markupToText(markup: string): string {
  return decodeXmlEntities(markup.replace(/<!--|-->/g, ' ').replace(/<[^<>]*>/g, ' '));
}
