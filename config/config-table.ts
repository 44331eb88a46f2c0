import { SETTINGS } from './schema';

/** The README's configuration table, generated from the schema (a unit test keeps them equal). */
export function configTableMarkdown(): string {
  const rows = Object.entries(SETTINGS).map(
    ([name, s]) =>
      `| \`${name}\` | ${s.default === undefined ? '(unset)' : `\`${s.default}\``} | ${s.description} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

if (require.main === module) console.log(configTableMarkdown());
