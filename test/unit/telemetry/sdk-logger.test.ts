import { LogTimestamp } from '@temporalio/worker';
import { createLogger } from '../../../telemetry/logger';
import { PinoSdkLogger, connectorOfWorkflow } from '../../../telemetry/sdk-logger';
import { coreLogLevel, workerRuntimeOptions } from '../../../telemetry/worker-runtime';

function sdkLogger(level = 'debug') {
  const raw: string[] = [];
  const pino = createLogger('worker', { write: (line: string) => void raw.push(line) }, level);
  return {
    logger: new PinoSdkLogger(pino),
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
    raw,
  };
}

describe("the Temporal SDK's logger written to pino", () => {
  it('an activity line: one JSON line with the activity, workflow and connector', () => {
    const { logger, lines } = sdkLogger();
    logger.warn('skipped Box events without an id', {
      sdkComponent: 'activity',
      activityType: 'importEventPages',
      activityId: '3',
      attempt: 2,
      workflowId: 'connector/c-42/backfill',
      workflowType: 'backfillActivities',
      taskQueue: 'connect-box',
      unreadable: 4,
      [LogTimestamp]: 1n,
    });
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'warn',
        component: 'worker',
        msg: 'skipped Box events without an id',
        sdkComponent: 'activity',
        activity: 'importEventPages',
        activityId: '3',
        attempt: 2,
        workflowId: 'connector/c-42/backfill',
        connectorId: 'c-42',
        unreadable: 4,
        time: expect.any(String),
      }),
    ]);
    expect(lines()[0]).not.toHaveProperty('activityType');
  });

  it('each SDK level becomes the pino level of that name, and pino filters by LOG_LEVEL', () => {
    const { logger, lines } = sdkLogger('info');
    logger.trace('t');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.log('WARN', 'via log');
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      ['info', 'i'],
      ['warn', 'w'],
      ['error', 'e'],
      ['warn', 'via log'],
    ]);
  });

  it("the SDK's metadata is redacted like any other field (a workflow's signal payload, an error)", () => {
    const { logger, raw } = sdkLogger();
    logger.error('Activity failed', {
      workflowId: 'governance/c-1/a-9',
      error: new Error('Box said 401 to Bearer abcdefghijklmnopqrstuvwxyz012345'),
      input: { code: 'Zq81mKx0aPl3RtY7uB5nW2cV9eD4fG6h' },
    });
    const line = raw.join('');
    expect(line).not.toContain('abcdefghijklmnopqrstuvwxyz012345');
    expect(line).not.toContain('Zq81mKx0aPl3RtY7uB5nW2cV9eD4fG6h');
    expect(JSON.parse(line)).toMatchObject({ connectorId: 'c-1', error: { type: 'Error' } });
  });

  it('the connector of a workflow ID', () => {
    expect(connectorOfWorkflow('connector/c-1')).toBe('c-1');
    expect(connectorOfWorkflow('connector/c-1/scan')).toBe('c-1');
    expect(connectorOfWorkflow('governance/c-2/act-1')).toBe('c-2');
    expect(connectorOfWorkflow('stack-probe/123')).toBeUndefined();
    expect(connectorOfWorkflow(undefined)).toBeUndefined();
  });

  it("the worker's Runtime options: this logger, the core's lines forwarded at a level LOG_LEVEL sets", () => {
    const pino = createLogger('worker', { write: () => undefined }, 'info');
    const options = workerRuntimeOptions({ logLevel: 'info' }, { logger: pino });
    expect(options.logger).toBeInstanceOf(PinoSdkLogger);
    expect(options.telemetryOptions.logging).toEqual({
      filter: { core: 'WARN', other: 'ERROR' },
      forward: {},
    });
    expect(coreLogLevel('debug')).toBe('INFO');
    expect(coreLogLevel('error')).toBe('ERROR');
  });
});
