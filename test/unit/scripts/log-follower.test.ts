import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFollower, isErrorLine } from '../../../scripts/log-follower';

const line = (level: string | number, msg: string) =>
  `${JSON.stringify({ level, time: '2026-12-03T09:00:00.000Z', component: 'worker', msg })}\n`;

describe("the launcher's view of its children's error lines", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cb-follow-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the error lines written after it started following, as text, named by child', () => {
    const file = join(dir, 'worker.log');
    writeFileSync(file, line('error', 'from an earlier run'));
    const shown: string[] = [];
    const follower = new LogFollower((text) => shown.push(text), 60_000);
    follower.add('worker', file);
    appendFileSync(file, line('info', 'polling') + line('warn', 'slow') + line('error', 'sweep failed'));
    appendFileSync(file, line('fatal', 'cannot start').slice(0, 30)); // half a line: shown when complete
    follower.poll();
    expect(shown).toEqual(['[worker] [2026-12-03 09:00:00.000] ERROR: worker: sweep failed']);
    appendFileSync(file, line('fatal', 'cannot start').slice(30));
    follower.stop();
    expect(shown).toHaveLength(2);
    expect(shown[1]).toBe('[worker] [2026-12-03 09:00:00.000] FATAL: worker: cannot start');
  });

  it("error lines: pino's names and numbers, the Temporal CLI's ERROR; not warnings nor text", () => {
    expect(isErrorLine(line('error', 'x'))).toBe(true);
    expect(isErrorLine(line(50, 'x'))).toBe(true);
    expect(isErrorLine('{"time":"t","level":"ERROR","msg":"x"}')).toBe(true);
    expect(isErrorLine(line('warn', 'x'))).toBe(false);
    expect(isErrorLine('error: not JSON')).toBe(false);
    expect(isErrorLine('{"level":"error"')).toBe(false);
  });
});
