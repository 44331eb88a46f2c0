import { countrySpecs, isValidIBAN } from 'ibantools';
import { detectSensitiveData, inTextOrder } from '../../../policies/detectors/all-detectors';
import type { Detection } from '../../../policies/detectors/detection';
import { DETECTOR_IDS } from '../../../policies/detectors/detector-id';
import { passesLuhn } from '../../../policies/detectors/credit-card';
import { collapseWhitespace } from '../../../policies/detectors/collapse-whitespace';
import { isValidIban } from '../../../policies/detectors/iban';
import { LIKELIHOODS, reaches, stepLikelihood } from '../../../policies/detectors/likelihood';
import { startsNearLiterals } from '../../../policies/detectors/literal-hits';
import { maskSample } from '../../../policies/detectors/mask-sample';
import { lintPlan, MAY_HOLD_SECRET } from '../../../policies/detectors/secretlint-detector';
import { isTestCardNumber } from '../../../policies/detectors/test-card-numbers';
import { isInvalidSsn } from '../../../policies/detectors/us-ssn';
import { NEGATIVES, POSITIVES } from '../../fixtures/corpus/labelled-samples';

const ALL = new Set(DETECTOR_IDS);
const reported = async (text: string) =>
  (await detectSensitiveData(text, ALL)).filter((d) => d.likelihood !== 'possible');

describe('detectors on labelled samples', () => {
  it.each(POSITIVES.map((s) => [s.detector, s.text.split('\n')[0]!, s] as const))(
    '%s finds the value in "%s"',
    async (_detector, _line, sample) => {
      const found = await reported(sample.text);
      expect(found.map((d) => d.detector)).toEqual([sample.detector]);
      if (sample.value !== undefined) expect(found[0]!.value).toBe(sample.value);
    },
  );

  it.each(NEGATIVES.map((s) => [s.text.split('\n')[0]!, s.why!, s] as const))(
    'nothing is reported in "%s" (%s)',
    async (_line, _why, sample) => {
      expect(await reported(sample.text)).toEqual([]);
    },
  );
});

describe('context words', () => {
  it('a card number near "card" is very likely, the same number alone only likely', async () => {
    const [near] = await detectSensitiveData('card number 4539 1488 0343 6467', ALL);
    const [alone] = await detectSensitiveData('the value 4539 1488 0343 6467 was stored', ALL);
    expect(near?.likelihood).toBe('very_likely');
    expect(alone?.likelihood).toBe('likely');
  });

  it('nine bare digits become an SSN only next to an SSN hotword', async () => {
    expect(await detectSensitiveData('the value 587349021 stored', new Set(['us_ssn'] as const))).toEqual([
      expect.objectContaining({ likelihood: 'possible' }),
    ]);
    expect((await detectSensitiveData('SSN 587349021', new Set(['us_ssn'] as const)))[0]?.likelihood).toBe(
      'likely',
    );
  });

  it('a label on the line above counts, a hotword in another cell does not', async () => {
    const ssn = new Set(['us_ssn'] as const);
    expect((await detectSensitiveData('Social Security Number\n587349021', ssn))[0]?.likelihood).toBe(
      'likely',
    );
    const table = 'SSN\tEmployee ID\n536-22-8741\t587349021';
    expect((await detectSensitiveData(table, ssn)).map((d) => [d.value, d.likelihood])).toEqual([
      ['536-22-8741', 'likely'],
      ['587349021', 'possible'],
    ]);
  });

  it('a negative word lowers only the value it labels, not the next line', async () => {
    const cards = new Set(['credit_card'] as const);
    const found = await detectSensitiveData('Order shipped\n4539 1488 0343 6467', cards);
    expect(found[0]?.likelihood).toBe('likely');
  });

  it('an order number that passes Luhn drops below the reporting threshold', async () => {
    const [order] = await detectSensitiveData(
      'Order number 4716 2894 5512 3386',
      new Set(['credit_card'] as const),
    );
    expect(order?.likelihood).toBe('possible');
  });
});

describe('likelihood scale', () => {
  it('a likelihood reaches itself and those below it', () => {
    const table = LIKELIHOODS.map((l) => LIKELIHOODS.map((min) => reaches(l, min)));
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });

  it('a step up stops at very_likely, a step below possible drops the match', () => {
    expect(LIKELIHOODS.map((l) => stepLikelihood(l, 1))).toEqual(['likely', 'very_likely', 'very_likely']);
    expect(LIKELIHOODS.map((l) => stepLikelihood(l, -1))).toEqual([undefined, 'possible', 'likely']);
    expect(LIKELIHOODS.map((l) => stepLikelihood(l, 0))).toEqual([...LIKELIHOODS]);
  });
});

describe('grouped digits', () => {
  it('a card number followed by another number is still found', async () => {
    const found = await reported('Visa 4539 1488 0343 6467 12 27');
    expect(found.map((d) => d.value)).toEqual(['4539 1488 0343 6467']);
  });

  it('CSV-escaped and JSON-escaped quotes do not hide an AWS secret key', async () => {
    const csv = '1,"AWS_SECRET_ACCESS_KEY=""q8R/3nB7vLx2Kp9Wm4Zt6Yc1Hd5Fj0Gs8Ae3Uo7I"""';
    const json = '{"env": "AWS_SECRET_ACCESS_KEY=\\"q8R/3nB7vLx2Kp9Wm4Zt6Yc1Hd5Fj0Gs8Ae3Uo7I\\""}';
    for (const text of [csv, json]) {
      expect((await reported(text)).map((d) => [d.detector, d.value])).toEqual([
        ['aws_secret_key', 'q8R/3nB7vLx2Kp9Wm4Zt6Yc1Hd5Fj0Gs8Ae3Uo7I'],
      ]);
    }
  });

  it('only the detectors asked for run', async () => {
    const found = await detectSensitiveData(
      'SSN 536-22-8741, card 4539 1488 0343 6467',
      new Set(['us_ssn'] as const),
    );
    expect(found.map((d) => d.detector)).toEqual(['us_ssn']);
  });
});

describe('masked samples', () => {
  it('keep the last four characters and the separators only', () => {
    expect(maskSample('536-22-8741')).toBe('***-**-8741');
    expect(maskSample('4539 1488 0343 6467')).toBe('**** **** **** 6467');
    expect(maskSample('jane.doe@acme-corp.com')).toBe('****.***@****-***p.com');
  });

  it('cut long secrets to their tail', () => {
    const masked = maskSample('Zx9Pq2Lm4Nb6Vc8Xa1Sd3Fg5Hj7Kl0QwErTyUiOp');
    expect(masked).toBe(`…${'*'.repeat(20)}UiOp`);
    expect(masked).not.toContain('Zx9P');
  });
});

describe('secretlint in a long-running worker', () => {
  it('leaves no performance marks behind, so the thousandth file costs what the first did', async () => {
    const { performance } = await import('node:perf_hooks');
    const before = performance.getEntriesByType('mark').length;
    for (let i = 0; i < 50; i++) await detectSensitiveData(`file ${i}: nothing secret here`, ALL);
    await new Promise((resolve) => setImmediate(resolve));
    expect(performance.getEntriesByType('mark').length).toBe(before);
  });
});

describe('secretlint-disable comments', () => {
  it('do not hide a secret from the scan', async () => {
    const token = 'ghp_R4nd0mT0k3nF0rC0rpu5Xy9Zq8Wv7Ut6Sr5Q';
    const text = `// secretlint-disable\nGITHUB_TOKEN=${token}\nAWS_KEY=AKIA2E0A8F3B244C9986 // secretlint-disable-line\n`;
    expect((await reported(text)).map((d) => d.detector)).toEqual(['api_token', 'aws_access_key']);
  });
});

describe('boundaries', () => {
  const found = async (text: string) => (await reported(text)).map((d) => [d.detector, d.value]);

  it('a card between commas, with a number after, is found (Ann,4556737586899855,12/27)', async () => {
    expect(await found('Ann,4556737586899855,12/27')).toEqual([['credit_card', '4556737586899855']]);
  });

  it.each([',', ';', '|', ':', '=', '"', "'", '(', '[', '{', '/', '\\', '\t'])(
    'an SSN, a card and an IBAN after "%s" are found',
    async (d) => {
      expect(await found(`SSN${d}536-22-8741${d}12`)).toEqual([['us_ssn', '536-22-8741']]);
      expect(await found(`card${d}4556737586899855${d}12`)).toEqual([['credit_card', '4556737586899855']]);
      expect(await found(`IBAN${d}GB94BARC10201530093459${d}12`)).toEqual([
        ['iban', 'GB94BARC10201530093459'],
      ]);
    },
  );

  it('values at the very start and the very end of the text are found', async () => {
    expect(await found('4556737586899855')).toEqual([['credit_card', '4556737586899855']]);
    expect(await found('536-22-8741 was the SSN')).toEqual([['us_ssn', '536-22-8741']]);
    expect(await found('SSN 536-22-8741')).toEqual([['us_ssn', '536-22-8741']]);
  });

  it('a value touching a letter or a digit is not delimited, nor is a decimal or a longer dashed number', async () => {
    expect(await found('x4556737586899855 and 4556737586899855y')).toEqual([]);
    expect(await found('pi 3.4556737586899855 or 4556737586899855.25')).toEqual([]);
    expect(await found('SSN 12-536-22-8741 and 536-22-8741-3')).toEqual([]);
  });

  it('no card is reported inside an IBAN, valid or mistyped', async () => {
    expect(await found('IBAN,DE44 5001 0517 5407 3249 31,12')).toEqual([
      ['iban', 'DE44 5001 0517 5407 3249 31'],
    ]);
    expect(await found('IBAN DE44 5001 0517 5407 3249 32 (typo)')).toEqual([]);
  });

  it('a JSON escape before a value is a delimiter', async () => {
    expect(await found('{"note": "SSN\\t536-22-8741\\n"}')).toEqual([['us_ssn', '536-22-8741']]);
  });

  it('a phone number followed by another number is still found', async () => {
    expect(await found('mobile +1 646-555-3890 12')).toEqual([['phone_number', '+1 646-555-3890']]);
  });

  it('an email in single quotes or before a colon is found; an SSH remote is not', async () => {
    expect(await found("to 'jane.doe@acme-corp.com' and o'brien@acme-corp.com:12")).toEqual([
      ['email', 'jane.doe@acme-corp.com'],
      ['email', "o'brien@acme-corp.com"],
    ]);
    expect(await found('git@github.com:acme-corp/app.git')).toEqual([]);
  });
});

describe('speed shortcuts keep every finding', () => {
  it('secrets far into a long text are found at their offsets (secretlint lints windows around hits)', async () => {
    const filler = 'nothing to see in this line of prose at all\n'.repeat(3_000);
    const token = 'ghp_R4nd0mT0k3nF0rC0rpu5Xy9Zq8Wv7Ut6Sr5Q';
    const key = 'AKIA2E0A8F3B244C9986';
    const text = `${filler}GITHUB_TOKEN=${token}\n${filler}aws_access_key_id = ${key}\n${filler}`;
    const found = await detectSensitiveData(text, ALL);
    expect(found.map((d) => [d.detector, d.value, d.start])).toEqual([
      ['api_token', token, text.indexOf(token)],
      ['aws_access_key', key, text.indexOf(key)],
    ]);
    expect(lintPlan(text).map((t) => [t.rules, t.windows.length])).toEqual([
      [['@secretlint/secretlint-rule-github'], 1],
      [['@secretlint/secretlint-rule-aws'], 1],
    ]);
  });

  it('a PRIVATE KEY header without an -----END within reach opens no window for the private-key rule', async () => {
    const header = '-----BEGIN RSA PRIVATE KEY-----\n';
    expect(lintPlan(header.repeat(2_000))).toEqual([]);
    const key = POSITIVES.find((p) => p.detector === 'private_key')!.text;
    const text = `${header.repeat(500)}${'prose line\n'.repeat(2_000)}${key}`;
    const plan = lintPlan(text);
    expect(plan.map((t) => t.rules)).toEqual([['@secretlint/secretlint-rule-privatekey']]);
    expect(plan[0]!.windows[0]![0]).toBeGreaterThan(header.length * 500);
    const found = await detectSensitiveData(text, new Set(['private_key'] as const));
    expect(found.map((d) => d.start)).toEqual([text.indexOf(key)]);
  });

  it('every secret positive passes the secretlint pre-filter, prose does not', () => {
    for (const s of POSITIVES.filter((p) => /^(?:aws_|private_key)/.test(p.detector))) {
      expect([s.text, MAY_HOLD_SECRET.test(s.text)]).toEqual([s.text, true]);
    }
    expect(MAY_HOLD_SECRET.test('the quarterly report shows revenue growth, 4539 1488 0343 6467')).toBe(
      false,
    );
  });

  it('a required hotword counts only where the text holds it whole, not cut at a window edge', async () => {
    const passports = new Set(['us_passport'] as const);
    // The window before the value starts 48 characters back: inside "xpassport", right after the x.
    const cut = `xpassport${' '.repeat(40)}488839667 on file`;
    expect(await detectSensitiveData(cut, passports)).toEqual([]);
    const whole = await detectSensitiveData(`${cut}\nPassport number: 123`, passports);
    expect(whole.map((d) => d.value)).toEqual(['488839667']);
  });

  it('a value judged in one text is judged afresh in another with the same layout', async () => {
    const ssn = new Set(['us_ssn'] as const);
    expect((await detectSensitiveData('SSN 587349021', ssn))[0]?.likelihood).toBe('likely');
    expect((await detectSensitiveData('xyz 587349021', ssn))[0]?.likelihood).toBe('possible');
    expect((await detectSensitiveData('SSN 587349021', ssn))[0]?.likelihood).toBe('likely');
  });

  it('the offsets near literal hits are every offset a probe allows, once, ascending', () => {
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const probes = [
      { literal: 'key', ignoreCase: true, back: [6, 3, 7, 4], by: 'k' },
      { literal: 'ken', ignoreCase: true, back: 2, by: 'k' },
    ];
    for (let t = 0; t < 200; t++) {
      let text = '';
      for (let i = 0; i < 60; i++) text += 'kKeyYn _'[next() % 8];
      const lower = text.toLowerCase();
      const expected: number[] = [];
      for (let at = 0; at < text.length; at++) {
        const near = (literal: string, distances: number[]) =>
          distances.some((d) => lower.startsWith(literal, at + d));
        if (near('key', [6, 3, 7, 4]) || near('ken', [0, 1, 2])) expected.push(at);
      }
      expect([text, startsNearLiterals(text, probes)]).toEqual([text, expected]);
    }
  });

  it('test card shapes are exactly eight identical digits in a row or a short block repeated', () => {
    const shapes = (d: string) => /(\d)\1{7}/.test(d) || /^(\d{2,4})\1{2,}\d{0,4}$/.test(d);
    let seed = 5;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let t = 0; t < 5_000; t++) {
      const block = String(next() % 10_000).slice(0, 2 + (next() % 3));
      const tail = String(next() % 1_000_000).slice(0, next() % 7);
      const digits = t % 2 ? `${block.repeat(next() % 7)}${tail}` : String(next()).repeat(1 + (next() % 3));
      const value = t % 5 === 0 ? `${digits} ` : digits;
      if (value === '4111111111111111') continue;
      expect([value, isTestCardNumber(value)]).toEqual([value, shapes(value)]);
    }
    expect(isTestCardNumber('4539000000001234')).toBe(true);
    expect(isTestCardNumber('4539148803436467')).toBe(false);
  });

  it('an @ after :// in the same run is a URL user, not a mailbox; after a space or tab it is one', async () => {
    const email = new Set(['email'] as const);
    expect(await detectSensitiveData('postgres://app:pw@db.acme.com/x', email)).toEqual([]);
    const found = await detectSensitiveData(
      'see https://acme.com/\tjane@acme.com or x:// bo@acme.com',
      email,
    );
    expect(found.map((d) => d.value)).toEqual(['jane@acme.com', 'bo@acme.com']);
  });

  it('whitespace in samples collapses as the regex did', () => {
    const pieces = [
      ' ',
      '  ',
      '\t',
      '\n',
      '\r\n',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\ufeff',
      '\u200b',
      'a',
      '4',
      '-',
    ];
    let seed = 9;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let t = 0; t < 2_000; t++) {
      let text = '';
      for (let i = next() % 10; i > 0; i--) text += pieces[next() % pieces.length];
      expect([text, collapseWhitespace(text)]).toEqual([text, text.replace(/\s+/g, ' ').trim()]);
    }
    for (let c = 0; c < 0x10000; c++) {
      const text = `a${String.fromCharCode(c, c)}b`;
      if (collapseWhitespace(text) !== text.replace(/\s+/g, ' ').trim())
        throw new Error(`U+${c.toString(16)}`);
    }
  });

  it('detections are put in text order as the stable comparator sort put them, ties in their order', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const byStart = (a: Detection, b: Detection) => a.start - b.start || b.end - a.end;
    for (const reach of [40, 1_000_000, 2 ** 40]) {
      for (let t = 0; t < 50; t++) {
        const detections = Array.from({ length: next() % 300 }, (_, i): Detection => {
          const start = next() % reach;
          return {
            detector: DETECTOR_IDS[i % DETECTOR_IDS.length]!,
            value: String(i),
            start,
            end: start + (next() % 12),
            likelihood: 'likely',
          };
        });
        expect(inTextOrder([...detections])).toEqual([...detections].sort(byStart));
      }
    }
  });

  it('context windows cut by offsets judge as windows cut from lower-cased slices', async () => {
    // A dotted capital I lengthens the text lower-cased: windows are then cut from slices.
    const pieces = ['SSN', 'Card', 'order', 'account number', 'phone', 'routing', 'passport', 'DL', 'IBAN'];
    const values = [
      '587349021',
      '4539 1488 0343 6467',
      '536-22-8741',
      '021000021',
      '(415) 555-2671',
      'C03005988',
    ];
    const breaks = ['\t', '\n', ' ', ': ', '\t\t', ' \n'];
    let seed = 13;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const judged = async (text: string) =>
      (await detectSensitiveData(text, ALL)).map((d) => [d.detector, d.start, d.end, d.likelihood]);
    for (let t = 0; t < 150; t++) {
      let text = '';
      for (let i = 0; i < 12; i++) {
        text += [pieces, values, breaks][next() % 3]![next() % 6]!;
        text += breaks[next() % breaks.length];
      }
      const tail = `\n${'x'.repeat(80)}`;
      expect([text, await judged(`${text}${tail}İ`)]).toEqual([text, await judged(`${text}${tail}I`)]);
    }
  });

  it('Luhn is computed over the digits only', () => {
    expect(passesLuhn('4539 1488 0343 6467')).toBe(true);
    expect(passesLuhn('4539-1488-0343-6468')).toBe(false);
    const reference = (raw: string) => {
      const digits = raw.replace(/\D/g, '').split('').reverse().map(Number);
      return digits.reduce((sum, d, i) => sum + (i % 2 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0) % 10 === 0;
    };
    let seed = 31;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let t = 0; t < 2_000; t++) {
      let raw = '';
      for (let i = 0; i < 12 + (next() % 8); i++) raw += (next() % 7 === 0 ? ' ' : '') + String(next() % 10);
      expect([raw, passesLuhn(raw)]).toEqual([raw, reference(raw)]);
    }
  });

  it('invalid SSNs are the SSA rules and the known fakes, as when every number was put together', () => {
    const fakes = new Set(['078051120', '219099999', '123456789', '111111111', '987654320']);
    const invalid = (digits: string) =>
      /^(?:000|666|9)/.test(digits) ||
      digits.slice(3, 5) === '00' ||
      digits.slice(5) === '0000' ||
      /^(\d)\1{8}$/.test(digits) ||
      digits.startsWith('98765432') ||
      fakes.has(digits);
    let seed = 29;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const samples = [...fakes, '222222222', '123456780', '078051121', '666123456', '587349021'];
    for (let t = 0; t < 5_000; t++)
      samples.push(String(next() % 1_000_000_000).padStart(9, String(next() % 10)));
    for (const digits of samples) {
      const verdict = isInvalidSsn(digits.slice(0, 3), digits.slice(3, 5), digits.slice(5));
      expect([digits, verdict]).toEqual([digits, invalid(digits)]);
    }
  });

  it('cached issuer and NANP verdicts give the same answer for the same prefix', async () => {
    const cards = new Set(['credit_card'] as const);
    expect((await detectSensitiveData('card 4556737586899855', cards)).length).toBe(1);
    expect((await detectSensitiveData('card 4556737586899863', cards)).length).toBe(1);
    const phones = new Set(['phone_number'] as const);
    expect((await detectSensitiveData('phone (415) 555-2671', phones)).length).toBe(1);
    expect((await detectSensitiveData('phone (415) 555-2680', phones)).length).toBe(1);
    expect((await detectSensitiveData('phone (415) 555-0142', phones)).length).toBe(0);
  });
});

describe('credential detectors', () => {
  it('a generic assignment yields to the detector that knows the format', async () => {
    const found = await reported('STRIPE_SECRET_KEY=sk_live_kdCleOnf0frSgyIKKnW03fGjj6QI');
    expect(found.map((d) => d.detector)).toEqual(['stripe_secret_key']);
  });

  it('a password inside a database URL is not an email address', async () => {
    const found = await reported('url: mysql://svc:Pq7x9Lm2@db.acme-corp.com/app');
    expect(found.map((d) => d.detector)).toEqual(['database_url']);
  });
});

describe('IBAN validation', () => {
  it('gives ibantools.isValidIBAN verdicts for IBANs of every country, valid and mistyped', () => {
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    let valid = 0;
    for (const [country, spec] of Object.entries(countrySpecs)) {
      if (!spec.chars) continue;
      for (let i = 0; i < 40; i++) {
        let bban = '';
        const digitsOnly = next() % 2 === 0;
        for (let c = 0; c < spec.chars - 4; c++) bban += alphabet[next() % (digitsOnly ? 10 : 36)];
        const check = String(98 - Number(mod97(`${bban}${country}00`))).padStart(2, '0');
        const iban = `${country}${i % 3 === 0 ? String(next() % 100).padStart(2, '0') : check}${bban}`;
        const typo = i % 5 === 0 ? `${iban.slice(0, -1)}${alphabet[next() % 36]}` : iban;
        expect([typo, isValidIban(typo)]).toEqual([typo, isValidIBAN(typo)]);
        if (isValidIBAN(typo)) valid++;
      }
    }
    expect(valid).toBeGreaterThan(100);
    for (const odd of [
      '',
      'DE',
      'DE89',
      'de89370400440532013000',
      'DE89 3704 0044 0532 0130 00',
      'XX89370400440532013000',
    ]) {
      expect([odd, isValidIban(odd)]).toEqual([odd, isValidIBAN(odd)]);
    }
  });
});

function mod97(digits: string): bigint {
  const expanded = [...digits].map((c) => (c >= 'A' ? String(c.charCodeAt(0) - 55) : c)).join('');
  return BigInt(expanded) % 97n;
}
