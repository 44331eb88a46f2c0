import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { withStatementCache } from '../../../store/statement-cache';

describe('withStatementCache', () => {
  let raw: SqliteDatabase.Database;
  beforeEach(() => {
    raw = new SqliteDatabase(':memory:');
    raw.exec('create table t (id integer primary key, v text)');
  });
  afterEach(() => raw.open && raw.close());

  it('hands out one statement per SQL text, and Kysely queries through it give the same rows', async () => {
    const prepare = jest.spyOn(raw, 'prepare');
    const db = new Kysely<{ t: { id: number; v: string } }>({
      dialect: new SqliteDialect({ database: withStatementCache(raw) }),
    });
    for (let i = 1; i <= 50; i++)
      await db
        .insertInto('t')
        .values({ id: i, v: `v${i}` })
        .execute();
    const rows = await db.selectFrom('t').select('v').where('id', '>', 48).orderBy('id').execute();
    expect(rows).toEqual([{ v: 'v49' }, { v: 'v50' }]);
    // One insert text and one select text (Kysely's own set-up queries aside).
    const texts = prepare.mock.calls.map(([text]) => text);
    expect(texts.filter((t) => t.startsWith('insert'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('select'))).toHaveLength(1);
    await db.destroy();
    expect(raw.open).toBe(false);
  });

  it('a statement still iterating is not handed out again', () => {
    raw.exec("insert into t (v) values ('a'), ('b')");
    const cache = withStatementCache(raw);
    const select = cache.prepare('select v from t order by id');
    const iterating = (select as SqliteDatabase.Statement).iterate();
    expect(iterating.next().value).toEqual({ v: 'a' });
    const second = cache.prepare('select v from t order by id');
    expect(second).not.toBe(select);
    expect((second as SqliteDatabase.Statement).all()).toEqual([{ v: 'a' }, { v: 'b' }]);
    iterating.return?.();
    expect(cache.prepare('select v from t order by id')).toBe(select);
  });

  it('keeps the most recently used statements only', () => {
    const cache = withStatementCache(raw, 2);
    const one = cache.prepare('select 1');
    const two = cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(one); // now the most recent
    cache.prepare('select 3'); // evicts "select 2"
    expect(cache.prepare('select 1')).toBe(one);
    expect(cache.prepare('select 2')).not.toBe(two);
  });
});
