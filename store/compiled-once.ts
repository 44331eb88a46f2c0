import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

/** Query shapes kept per SQL dialect (the statement cache keeps their prepared statements too). */
export const SHAPES_KEPT = 500;

const shapesByDialect = new Map<string, Map<string, string>>();

/**
 * The query `build` makes, compiled once per shape (`shape`: what its SQL depends on, such as the number of
 * rows) and SQL dialect: the next query of that shape reuses the SQL with its own `parameters`. Kysely
 * builds and compiles every query anew; for an insert of 500 rows of 25 columns that costs about as much CPU
 * as SQLite spends running it. Kept by dialect, not by Kysely instance: the store's instances add no plugin,
 * so one dialect compiles a shape to one SQL text.
 *
 * `parameters` must be the values the built query binds, in its order. That is checked each time a shape
 * is compiled: when the two differ, the SQL is not kept and the built query runs as Kysely compiled it.
 */
export function compiledOnce<DB>(
  db: Kysely<DB>,
  shape: string,
  parameters: readonly unknown[],
  build: () => Compilable,
): CompiledQuery {
  const dialect = db.getExecutor().adapter.constructor.name;
  let shapes = shapesByDialect.get(dialect);
  if (!shapes) shapesByDialect.set(dialect, (shapes = new Map<string, string>()));
  const sql = shapes.get(shape);
  if (sql !== undefined) return CompiledQuery.raw(sql, [...parameters]);
  const compiled = build().compile();
  if (sameValues(compiled.parameters, parameters)) {
    shapes.set(shape, compiled.sql);
    if (shapes.size > SHAPES_KEPT) shapes.delete(shapes.keys().next().value!);
  }
  return compiled;
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
