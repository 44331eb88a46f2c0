import { VALUE_END, VALUE_START } from '../../../policies/detectors/boundaries';
import {
  matchesAt,
  mergeStarts,
  startsWhere,
  stickyCopy,
  valueStarts,
} from '../../../policies/detectors/candidate-scan';
import { anyOfWords, wordsPattern } from '../../../policies/detectors/context-words';
import { NEGATIVES, POSITIVES } from '../../fixtures/corpus/labelled-samples';

// Neighbours that test the boundaries: letters and digits of other scripts, decimals, escapes.
const NEIGHBOURS = ['', ' ', 'x', 'X', '1', '1.', '1-', '+', '(', '٣', '𝟙', 'é', '\t', '\\n', 'Z9', '.'];
const TEXTS = [
  ...POSITIVES.map((s) => s.text),
  ...NEGATIVES.map((s) => s.text),
  ...NEIGHBOURS.flatMap((before) =>
    NEIGHBOURS.map((after) =>
      [...POSITIVES, ...NEGATIVES].map((s) => `${before}${s.text}${after}`).join(' '),
    ),
  ),
];

// Shapes of the detectors' candidates: digit-led, capital-led and either, with the shared boundaries.
const CANDIDATES = {
  digit: [
    new RegExp(String.raw`${VALUE_START}\d(?:[ -]?\d){12,18}${VALUE_END}`, 'gu'),
    new RegExp(String.raw`${VALUE_START}(\d{3})([- ]?)(\d{2})\2(\d{4})${VALUE_END}`, 'gu'),
    new RegExp(String.raw`${VALUE_START}\d{8,17}${VALUE_END}`, 'gu'),
  ],
  upper: [
    /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}/g,
    /(?<![\p{L}\p{N}])[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![\p{L}\p{N}])/gu,
  ],
  any: [
    new RegExp(
      String.raw`${VALUE_START}(?:[A-Z]{1,2}\d{4,14}|\d{7,12}|[A-Z]\d{3}-\d{4}-\d{4})${VALUE_END}`,
      'gu',
    ),
  ],
} as const;

describe('candidate scan', () => {
  it.each(
    Object.entries(CANDIDATES).flatMap(([kind, list]) => list.map((re) => [kind, re.source, re] as const)),
  )('matches at %s starts equal a global scan of %s', (kind, _source, candidate) => {
    const sticky = stickyCopy(candidate);
    let total = 0;
    for (const text of TEXTS) {
      const expected = [...text.matchAll(candidate)].map((m) => [m.index, m[0]]);
      const starts = valueStarts(text)[kind as keyof typeof CANDIDATES];
      const actual = [...matchesAt(text, sticky, starts)].map((m) => [m.index, m[0]]);
      expect(actual).toEqual(expected);
      total += expected.length;
    }
    expect(total).toBeGreaterThan(0);
  });

  it('lists the starts of capital and digit runs not inside a word', () => {
    const { digit, upper, any } = valueStarts('ab12 CD 34x5 (6 E');
    expect({ digit, upper, any }).toEqual({ digit: [8, 14], upper: [5, 16], any: [5, 8, 14, 16] });
    expect(valueStarts('').any).toEqual([]);
  });

  it('filters starts by the length of their digit run', () => {
    const text = 'A1 123456789 12 1234567890123 X9';
    const seen: Array<[number, string]> = [];
    const kept = startsWhere(text, 'any', (digits, t, at) => {
      seen.push([digits, t.slice(at, at + 2)]);
      return digits === 9 || digits === 0;
    });
    expect(seen).toEqual([
      [0, 'A1'],
      [9, '12'],
      [2, '12'],
      [13, '12'],
      [0, 'X9'],
    ]);
    expect(kept).toEqual([0, 3, 30]);
    expect(startsWhere(text, 'digit', (digits) => digits > 10)).toEqual([16]);
  });

  it('merges ascending offsets', () => {
    expect(mergeStarts([1, 4, 9], [2, 4, 10, 11])).toEqual([1, 2, 4, 4, 9, 10, 11]);
    expect(mergeStarts([], [3])).toEqual([3]);
  });
});

describe('anyOfWords', () => {
  const lists = [
    ['account number', 'acct', 'a/c', 'bank account'],
    ['passport', 'passport #', 'travel document'],
    ["driver's license", 'dl', 'dl#', 'dmv'],
    ['swift', 'bic', 'bank', 'iban'],
  ];
  const patterns = lists.map((words) => wordsPattern(words));
  const any = anyOfWords(patterns);
  const eachTest = (text: string) => patterns.some((p) => p.test(text));

  it.each([
    'acct 1',
    'ACCT',
    'xacct',
    '9dl 12',
    'the a/c',
    'passports',
    'Passport #1',
    "driver's licenses",
    'DMV',
    'ibank',
    'bank.',
    '',
  ])('agrees with the patterns tested in turn on "%s"', (text) => {
    expect(any.test(text)).toBe(eachTest(text));
  });

  it('agrees with the patterns tested in turn on the corpus', () => {
    const results = TEXTS.map((t) => any.test(t));
    expect(results).toEqual(TEXTS.map(eachTest));
    expect(results).toContain(true);
    expect(results).toContain(false);
  });

  it('combines other patterns as alternatives, and none as a regex that never matches', () => {
    const other = anyOfWords([/^ab/i, wordsPattern(['cd'])]);
    expect(['AB x', 'x ab', 'x cd', 'abcd'].map((t) => other.test(t))).toEqual([true, false, true, true]);
    expect(anyOfWords([]).test('anything')).toBe(false);
  });
});
