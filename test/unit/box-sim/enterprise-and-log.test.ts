/** Unit: the enterprise model and the event log are deterministic and consistent. */
import { Enterprise } from '../../../box-sim/enterprise';
import { EventLog } from '../../../box-sim/event-log';
import { signWebhook } from '../../../box-sim/webhooks';
import { createHmac } from 'node:crypto';

const NOW = Date.parse('2026-11-20T12:00:00Z');

describe('enterprise model', () => {
  test('the same seed and sizes give the same users, names and hashes', () => {
    const a = new Enterprise({ seed: 4, users: 10, files: 500, now: NOW });
    const b = new Enterprise({ seed: 4, users: 10, files: 500, now: NOW });
    expect(a.users).toEqual(b.users);
    for (const i of [0, 17, 499]) {
      expect(a.fileName(i)).toBe(b.fileName(i));
      expect(a.fileSha1Of(i)).toBe(b.fileSha1Of(i));
    }
  });

  test('one admin, co-admins, users and one personal account; unique logins', () => {
    const e = new Enterprise({ seed: 4, users: 30, files: 10, now: NOW });
    expect(e.users.filter((u) => u.role === 'admin')).toHaveLength(1);
    expect(e.users.filter((u) => u.role === 'coadmin').length).toBeGreaterThan(0);
    expect(e.users.filter((u) => !u.inEnterprise)).toHaveLength(1);
    expect(new Set(e.users.map((u) => u.login)).size).toBe(e.users.length);
  });

  test('every file is listed in exactly one folder, and moves keep that true', () => {
    const e = new Enterprise({ seed: 4, users: 5, files: 400, now: NOW });
    const count = () => {
      const seen = new Map<number, number>();
      for (let f = 0; f < e.folderCount; f++)
        for (const i of e.filesIn(f)) seen.set(i, (seen.get(i) ?? 0) + 1);
      return seen;
    };
    expect([...count().values()].every((n) => n === 1)).toBe(true);
    expect(count().size).toBe(400);
    e.move(3, 7);
    e.move(3, 9);
    const after = count();
    expect(after.get(3)).toBe(1);
    expect(e.filesIn(9)).toContain(3);
  });
});

describe('trees as users see them', () => {
  test("walking a user's root reaches every file at most once, and every file the user owns", () => {
    const e = new Enterprise({ seed: 8, users: 5, files: 3000, now: NOW });
    for (let user = 0; user < 5; user++) {
      const shared = e.sharedWithUser(user);
      const seen: number[] = [...shared.files];
      const queue = [...e.subfolders(-1, user), ...shared.folders];
      for (let guard = 0; queue.length > 0 && guard < 100_000; guard++) {
        const folder = queue.shift()!;
        queue.push(...e.subfolders(folder));
        seen.push(...e.filesIn(folder));
      }
      expect(new Set(seen).size).toBe(seen.length);
      const owned = seen.filter((f) => e.fileOwner(f) === user).length;
      expect(owned).toBe(
        Array.from({ length: 3000 }, (_, i) => i).filter((i) => e.fileOwner(i) === user).length,
      );
    }
  });
});

describe('event log', () => {
  test('times never decrease and firstAtOrAfter finds the window bounds', () => {
    const e = new Enterprise({ seed: 4, users: 5, files: 100, now: NOW });
    const log = new EventLog(e, 4, 5000, NOW);
    for (let p = 1; p < log.size; p++) expect(log.timeAt(p)).toBeGreaterThanOrEqual(log.timeAt(p - 1));
    const t = log.timeAt(2500);
    const first = log.firstAtOrAfter(t);
    expect(log.timeAt(first)).toBe(t);
    expect(first === 0 || log.timeAt(first - 1) < t).toBe(true);
    expect(log.at(10)).toEqual(log.at(10));
  });
});

describe('webhook signature', () => {
  test('is base64 HMAC-SHA256 over the body then the timestamp', () => {
    const expected = createHmac('sha256', 'k').update('{"a":1}2026-01-01T00:00:00+00:00').digest('base64');
    expect(signWebhook('{"a":1}', '2026-01-01T00:00:00+00:00', 'k')).toBe(expected);
  });
});
