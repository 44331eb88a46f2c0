import { VALUE_END, VALUE_START } from '../../../policies/detectors/boundaries';
import {
  countStarts,
  matchesAt,
  mergeStarts,
  scannedRuns,
  startsWhere,
  stickyCopy,
  valueStarts,
} from '../../../policies/detectors/candidate-scan';
import {
  anyOfWords,
  mayHoldContextWords,
  windowTester,
  wordsPattern,
} from '../../../policies/detectors/context-words';
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

  it('starts by digit-run length, merged from the lists by length, equal a test of every start', () => {
    let seed = 17;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const pieces = [
      '1',
      '12',
      '123',
      '4567',
      '123456789',
      '1234567890',
      'AB',
      'Z9',
      'x1',
      ' ',
      '\t',
      '-',
      '.',
    ];
    const lengthSets = [
      [9],
      [3, 9],
      [1, 3, 10],
      [7, 8, 9, 10, 11, 12],
      [8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
      [9, 9],
    ];
    for (let t = 0; t < 300; t++) {
      let text = '';
      for (let i = 0; i < 40; i++) text += pieces[next() % pieces.length];
      const { any, digit } = valueStarts(text);
      const runs = scannedRuns(text);
      expect(Array.from(runs.at)).toEqual(any);
      const digitsAt = new Map(any.map((at, i) => [at, runs.digits[i]!]));
      const odd = (_digits: number, _t: string, at: number) => at % 2 === 1;
      for (const lengths of lengthSets) {
        for (const [kind, starts] of [
          ['digit', digit],
          ['any', any],
        ] as const) {
          const expected = starts.filter(
            (at) => digitsAt.get(at) === 0 || lengths.includes(digitsAt.get(at)!),
          );
          const wanted = kind === 'digit' ? expected.filter((at) => digitsAt.get(at)! > 0) : expected;
          expect([text, startsWhere(text, kind, () => true, lengths)]).toEqual([text, wanted]);
          expect([text, startsWhere(text, kind, odd, lengths)]).toEqual([
            text,
            wanted.filter((at) => at % 2),
          ]);
          expect([text, countStarts(text, kind, lengths)]).toEqual([text, wanted.length]);
        }
      }
      expect(countStarts(text, 'upper')).toBe(valueStarts(text).upper.length);
      expect(countStarts(text, 'digit')).toBe(digit.length);
    }
  });

  it('capital starts by the shape of their run, read from the lists by shape, equal a test of every start', () => {
    let seed = 19;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const pieces = [
      'A',
      'GB',
      'QQ',
      'DEUTDE',
      'NWBKGB2L',
      'ABCDEFGHIJKLMN',
      '12',
      'x',
      'Visa',
      ' ',
      '-',
      '9',
      'é',
    ];
    const shapeOf = (text: string, at: number) => {
      let capitals = 0;
      while (/[A-Z]/.test(text[at + capitals] ?? '')) capitals++;
      return { capitals, digitAfter: /[0-9]/.test(text[at + capitals] ?? '') };
    };
    const shapeSets = [
      [{ capitals: 2, digitAfter: true }],
      [
        { capitals: 1, digitAfter: true },
        { capitals: 2, digitAfter: true },
      ],
      [6, 7, 8, 9, 10, 11].flatMap((capitals) => [
        { capitals, digitAfter: true },
        { capitals, digitAfter: false },
      ]),
    ];
    for (let t = 0; t < 300; t++) {
      let text = '';
      for (let i = 0; i < 30; i++) text += pieces[next() % pieces.length];
      const { upper, digit, any } = valueStarts(text);
      for (const shapes of shapeSets) {
        const fits = (at: number) =>
          shapes.some(
            (s) => s.capitals === shapeOf(text, at).capitals && s.digitAfter === shapeOf(text, at).digitAfter,
          );
        const capitals = upper.filter(fits);
        expect([text, startsWhere(text, 'upper', () => true, undefined, shapes)]).toEqual([text, capitals]);
        expect([text, countStarts(text, 'upper', undefined, shapes)]).toEqual([text, capitals.length]);
        // With a test that agrees with the shapes, they only spare tests, whichever way the starts are read.
        const agrees = (digits: number, _t: string, at: number) => (digits === 0 ? fits(at) : digits === 9);
        const expected = any.filter((at) =>
          digit.includes(at) ? /^\d{9}(?!\d)/.test(text.slice(at)) : fits(at),
        );
        expect([text, startsWhere(text, 'any', agrees, [9], shapes)]).toEqual([text, expected]);
      }
    }
  });

  it('merges ascending offsets', () => {
    expect(mergeStarts([1, 4, 9], [2, 4, 10, 11])).toEqual([1, 2, 4, 4, 9, 10, 11]);
    expect(mergeStarts([], [3])).toEqual([3]);
  });
});

describe('context window shortcuts', () => {
  const patterns = [
    wordsPattern(['ssn', 'social security', 'ss #', 'tax id']),
    wordsPattern(["driver's license", 'dl#', 'a/c', 'passport #']),
    wordsPattern(['card', 'cc', 'exp']),
  ];

  it('a window tester gives the verdict of its word regex on lower-case text', () => {
    const pieces = [
      'ssn',
      'social',
      ' ',
      'security',
      'ss #',
      'tax_id',
      "driver's",
      'license',
      'dl#',
      'a/c',
      'card',
      'cc',
      'exp',
      'x',
      '9',
      '-',
      '_',
      '\t',
      '\n',
      'é',
      'ß',
      ':',
    ];
    let seed = 23;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    let matched = 0;
    for (let t = 0; t < 2_000; t++) {
      let window = '';
      for (let i = 0; i < 6; i++) window += pieces[next() % pieces.length];
      for (const p of patterns) {
        const verdict = p.test(window);
        expect([window, windowTester(p).test(window)]).toEqual([window, verdict]);
        if (verdict) matched++;
      }
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('a regex that is not a lower-case word regex is its own tester', () => {
    const upper = new RegExp(wordsPattern(['SSN']).source, 'i');
    expect(windowTester(upper)).toBe(upper);
    const other = /ssn/i;
    expect(windowTester(other)).toBe(other);
    expect(windowTester(patterns[0]!)).not.toBe(patterns[0]);
  });

  it('a text holds context words only with a letter or a character beyond ASCII', () => {
    expect(mayHoldContextWords('123 456\t789,0-1.2\n+(3)')).toBe(false);
    expect(mayHoldContextWords('123 x56')).toBe(true);
    expect(mayHoldContextWords('123 456 Z')).toBe(true);
    expect(mayHoldContextWords('123 ٣')).toBe(true);
    expect(mayHoldContextWords('')).toBe(false);
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
