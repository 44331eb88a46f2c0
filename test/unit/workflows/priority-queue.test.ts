import { PriorityQueue } from '../../../workflows/priority-queue';
import type { FileEvent } from '../../../domain/file-event';

const event = (fileId: string, eventType = 'FILE.UPLOADED'): FileEvent => ({
  fileId,
  kind: 'content',
  eventType,
  occurredAt: '2026-12-01T00:00:00Z',
  source: 'webhook',
});
const ids = (events: readonly FileEvent[]) => events.map((e) => e.fileId);

describe('PriorityQueue', () => {
  it('keeps one entry per file: a repeat keeps its place and takes the newest event', () => {
    const q = new PriorityQueue(10);
    q.add([event('a'), event('b'), event('c')]);
    q.add([event('b', 'FILE.RENAMED')]);
    expect(ids(q.queued)).toEqual(['a', 'b', 'c']);
    expect(q.queued[1]!.eventType).toBe('FILE.RENAMED');
    expect(q.length).toBe(3);
  });

  it('holds at most `limit` files; the rest waits in overflow, in arrival order, none dropped', () => {
    const q = new PriorityQueue(2);
    q.add([event('a'), event('b'), event('c'), event('d')]);
    expect(ids(q.queued)).toEqual(['a', 'b']);
    expect(ids(q.overflow)).toEqual(['c', 'd']);
    expect(q.length).toBe(4);
    // A queued file still dedupes while the queue is full; an overflowed one is not looked up.
    q.add([event('a', 'FILE.RENAMED'), event('c')]);
    expect(ids(q.queued)).toEqual(['a', 'b']);
    expect(q.queued[0]!.eventType).toBe('FILE.RENAMED');
    expect(ids(q.overflow)).toEqual(['c', 'd', 'c']);
  });

  it('with isRecent, a full queue makes room for a file not rescanned lately: the last recent one overflows', () => {
    const recent = new Set(['a', 'b', 'c']);
    const isRecent = (id: string) => recent.has(id);
    const q = new PriorityQueue(3);
    q.add([event('a'), event('x'), event('b')], isRecent);
    q.add([event('y')], isRecent); // full: b (the last recent one) moves to the overflow
    expect(ids(q.queued)).toEqual(['a', 'x', 'y']);
    expect(ids(q.overflow)).toEqual(['b']);
    q.add([event('c')], isRecent); // a recent file never displaces another
    expect(ids(q.overflow)).toEqual(['b', 'c']);
    q.add([event('z')], isRecent); // a is the only recent one queued
    expect(ids(q.queued)).toEqual(['x', 'y', 'z']);
    q.add([event('w')], isRecent); // no recent file left to move: w overflows
    expect(ids(q.overflow)).toEqual(['b', 'c', 'a', 'w']);
    expect(q.length).toBe(7);
  });

  it('takeExcept and countExcept with a filter take only the files it accepts, in order', () => {
    const q = new PriorityQueue(10);
    q.add([event('a'), event('x'), event('b'), event('y')]);
    const fresh = (id: string) => id === 'x' || id === 'y';
    expect(q.countExcept(new Set(['y']), fresh)).toBe(1);
    expect(ids(q.takeExcept(5, new Set(), fresh))).toEqual(['x', 'y']);
    expect(ids(q.queued)).toEqual(['a', 'b']);
  });

  it('takes from the front, and a freed place is filled by the next add', () => {
    const q = new PriorityQueue(2);
    q.add([event('a'), event('b'), event('c')]);
    expect(ids(q.take(1))).toEqual(['a']);
    expect(ids(q.queued)).toEqual(['b']);
    q.add([event('e')]);
    expect(ids(q.queued)).toEqual(['b', 'e']);
    expect(ids(q.take(5))).toEqual(['b', 'e']);
    expect(q.take(1)).toEqual([]);
  });

  it('takes from the front passing over busy files, which keep their place and their newest event', () => {
    const q = new PriorityQueue(10);
    q.add([event('a'), event('b'), event('c'), event('d'), event('e')]);
    const busy = new Set(['a', 'c']);
    expect(q.countExcept(busy)).toBe(3);
    expect(ids(q.takeExcept(2, busy))).toEqual(['b', 'd']);
    expect(ids(q.queued)).toEqual(['a', 'c', 'e']);
    q.add([event('a', 'FILE.RENAMED')]);
    expect(ids(q.takeExcept(5, busy))).toEqual(['e']);
    expect(q.takeExcept(5, busy)).toEqual([]);
    expect(q.countExcept(busy)).toBe(0);
    expect(q.length).toBe(2);
    busy.delete('a');
    const [a] = q.takeExcept(5, busy);
    expect(a).toMatchObject({ fileId: 'a', eventType: 'FILE.RENAMED' });
    expect(ids(q.queued)).toEqual(['c']);
    expect(ids(q.takeExcept(0, new Set()))).toEqual([]);
  });

  it('is pending while anything waits in state or in the store', () => {
    const q = new PriorityQueue(1);
    expect(q.pending).toBe(false);
    expect(q.length).toBe(0);
    q.add([event('a'), event('b')]);
    q.take(1);
    expect(q.pending).toBe(true); // b in overflow
    q.overflow = [];
    expect(q.pending).toBe(false);
    q.stored = 3;
    expect(q.pending).toBe(true);
    expect(q.length).toBe(3);
  });

  it('round-trips through JSON (continue-as-new) with its queue, overflow and store count', () => {
    const q = new PriorityQueue(2);
    q.add([event('a'), event('b'), event('c')]);
    q.stored = 7;
    const carried = JSON.parse(JSON.stringify(q)) as ReturnType<PriorityQueue['toJSON']>;
    expect(Object.keys(carried).sort()).toEqual(['overflow', 'queued', 'stored']);
    const again = new PriorityQueue(2, carried.queued, carried.overflow, carried.stored);
    expect(again.toJSON()).toEqual(q.toJSON());
    expect(again.length).toBe(10);
    // The revived queue behaves like the original: it still dedupes and still respects the bound.
    again.add([event('b', 'FILE.RENAMED'), event('d')]);
    expect(ids(again.queued)).toEqual(['a', 'b']);
    expect(again.queued[1]!.eventType).toBe('FILE.RENAMED');
    expect(ids(again.overflow)).toEqual(['c', 'd']);
  });
});
