import { KeyedMutex } from '../../../box/keyed-mutex';

describe('KeyedMutex', () => {
  it('runs tasks of one key one at a time, in order, even when one fails', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = mutex.run('k', async () => {
      log.push('a start');
      await gate;
      log.push('a end');
      throw new Error('a failed');
    });
    const b = mutex.run('k', () => Promise.resolve(log.push('b')));
    const other = mutex.run('other', () => Promise.resolve(log.push('other')));
    await other;
    expect(log).toEqual(['a start', 'other']);
    release();
    await expect(a).rejects.toThrow('a failed');
    await b;
    expect(log).toEqual(['a start', 'other', 'a end', 'b']);
  });
});
