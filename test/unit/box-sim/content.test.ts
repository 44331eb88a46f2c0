/** Unit: generated content is deterministic and holds exactly the planted values. */
import { FILE_EXTENSIONS, planContent, renderContent } from '../../../box-sim/content';
import { isLuhnValid, isValidIban, isValidSsn } from '../../../box-sim/sensitive-data';

function countPlanted(text: string): Record<string, number> {
  return {
    credit_card: [...text.matchAll(/\b(?:\d[ -]?){14,15}\d\b/g)].filter((m) => isLuhnValid(m[0])).length,
    us_ssn: [...text.matchAll(/\b\d{3}-\d{2}-\d{4}\b/g)].filter((m) => isValidSsn(m[0])).length,
    iban: [...text.matchAll(/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b/g)].filter((m) =>
      isValidIban(m[0]),
    ).length,
    aws_access_key: [...text.matchAll(/\bAKIA[A-Z2-7]{16}\b/g)].length,
    email: [...text.matchAll(/[\w.+-]+@[\w-]+\.[\w.]+/g)].length,
  };
}

describe('generated content', () => {
  test('the same seed, file and version give the same bytes; another version differs', () => {
    const plan = planContent(1, 10, 0, 'txt');
    expect(renderContent(1, 10, 0, plan).equals(renderContent(1, 10, 0, plan))).toBe(true);
    expect(renderContent(1, 10, 1, planContent(1, 10, 1, 'txt')).equals(renderContent(1, 10, 0, plan))).toBe(
      false,
    );
  });

  test.each(['txt', 'csv', 'md', 'json', 'log', 'docx', 'xlsx', 'pdf'] as const)(
    '%s files hold exactly the planted values',
    (ext) => {
      let checked = 0;
      for (let file = 0; file < 3000 && checked < 12; file++) {
        const plan = planContent(2, file, 0, ext);
        if (Object.keys(plan.planted).length === 0 && plan.negatives === 0) continue;
        if (plan.targetSize > 100_000) continue;
        checked++;
        const raw = renderContent(2, file, 0, plan).toString('latin1');
        // PDF: only the text shown on pages (the xref table is digits too); OOXML: the stored XML.
        const text =
          ext === 'pdf'
            ? [...raw.matchAll(/\((.*)\) Tj/g)].map((m) => m[1]).join('\n')
            : raw.replace(/&amp;/g, '&');
        const found = countPlanted(text);
        for (const [kind, n] of Object.entries(found))
          expect([kind, n]).toEqual([kind, plan.planted[kind as keyof typeof plan.planted] ?? 0]);
      }
      expect(checked).toBe(12);
    },
  );

  test('every extension is produced', () => {
    expect(FILE_EXTENSIONS).toEqual(['txt', 'csv', 'md', 'json', 'log', 'docx', 'xlsx', 'pdf']);
  });
});
