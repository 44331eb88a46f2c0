/**
 * `text.replace(/\s+/g, ' ').trim()`, without the regex: samples and their context are short strings
 * built for every sample, mostly with single spaces only, which are then returned as they are.
 */
export function collapseWhitespace(text: string): string {
  const n = text.length;
  let i = 0;
  while (i < n && isWhitespace(text.charCodeAt(i))) i++;
  let end = n;
  while (end > i && isWhitespace(text.charCodeAt(end - 1))) end--;
  let out = '';
  let copied = i;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isWhitespace(c)) continue;
    let j = i + 1;
    while (isWhitespace(text.charCodeAt(j))) j++; // stops before `end`: text[end - 1] is not whitespace
    if (c !== 32 || j > i + 1) {
      out += `${text.slice(copied, i)} `;
      copied = j;
    }
    i = j - 1;
  }
  return copied === 0 && end === n ? text : out + text.slice(copied, end);
}

/** True for what `\s` matches: ASCII and Unicode spaces, line terminators and the BOM. */
function isWhitespace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
