import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildExitedError } from '../../../scripts/process-group';
import { prettyLogLine } from '../../../telemetry/pretty';

describe("a child's log lines as the launcher shows them", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cb-child-log-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("ChildExitedError quotes the log's last lines as text for people, not JSON", () => {
    const file = join(dir, 'worker.log');
    writeFileSync(
      file,
      [
        'Temporal CLI 1.9.1 (Server 1.32.0, UI 2.54.1)',
        '{"level":"info","time":"2026-12-03T09:00:00.000Z","component":"worker","pid":7,"msg":"polling main"}',
        '{"level":"fatal","time":"2026-12-03T09:00:01.250Z","component":"worker","pid":7,"connectorId":"c-1","msg":"ENCRYPTION_KEY is required"}',
        '',
      ].join('\n'),
    );
    const err = new ChildExitedError('worker', 1, file);
    expect(err.message).toContain('worker exited unexpectedly (code 1)');
    expect(err.message).toContain('    Temporal CLI 1.9.1 (Server 1.32.0, UI 2.54.1)');
    expect(err.message).toContain('    [2026-12-03 09:00:00.000] INFO: worker: polling main');
    expect(err.message).toContain(
      '[2026-12-03 09:00:01.250] FATAL: worker: ENCRYPTION_KEY is required {"connectorId":"c-1"}',
    );
    expect(err.message).not.toContain('"level"');
    expect(err.message).not.toContain('\u001b['); // no colours: the message goes to dev-stack.log too
  });

  it('prettyLogLine: colours only when asked; a line cut in half or not JSON is shown as it is', () => {
    const line = '{"level":"warn","time":"2026-12-03T09:00:00.000Z","component":"api","msg":"slow"}';
    expect(prettyLogLine(line)).toBe('[2026-12-03 09:00:00.000] WARN: api: slow');
    expect(prettyLogLine(line, true)).toContain('\u001b[');
    expect(prettyLogLine('me":"cut"}')).toBe('me":"cut"}');
    expect(prettyLogLine('plain text')).toBe('plain text');
  });
});
