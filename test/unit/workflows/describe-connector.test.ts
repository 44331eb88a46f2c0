import { describeConnector } from '../../../workflows/describe-connector';
import type { ConnectorStatus } from '../../../domain/connector-status';

const base: ConnectorStatus = {
  connectorId: 'c1',
  instanceName: 'Acme',
  dataCenter: 'US1',
  status: 'AwaitingAuthorization',
  message: 'Waiting for a Box admin to authorize connect-box.',
  authorizationAttempts: 0,
  updatedAt: '2026-12-01T00:00:00.000Z',
};

describe('describeConnector', () => {
  it('names the instance, data centre and status, then the message', () => {
    expect(describeConnector(base)).toBe(
      '**Acme** (US1): **AwaitingAuthorization**\n\nWaiting for a Box admin to authorize connect-box.',
    );
  });

  it('adds the next step, every API test check and the backfill when there are any', () => {
    const text = describeConnector({
      ...base,
      status: 'Connected',
      message: 'Connected with a warning: co-admin.',
      nextStep: 'Authorize again with the primary admin.',
      apiTest: {
        outcome: 'passedWithWarning',
        summary: 'co-admin',
        testedAt: '2026-12-01T00:00:00.000Z',
        checks: [
          { name: 'read users', passed: true, message: 'all users listed' },
          { name: 'other admins', passed: false, message: 'their files are out of reach' },
        ],
      },
      backfill: { state: 'running', imported: 42, message: 'importing' },
    });
    expect(text.split('\n')).toEqual([
      '**Acme** (US1): **Connected**',
      '',
      'Connected with a warning: co-admin.',
      '',
      'Next step: Authorize again with the primary admin.',
      '',
      'API test (passedWithWarning):',
      '- passed: read users: all users listed',
      '- FAILED: other admins: their files are out of reach',
      '',
      'Backfill: running, 42 imported',
    ]);
  });

  it('an API test without checks still shows its outcome', () => {
    const text = describeConnector({
      ...base,
      status: 'ApiTestFailed',
      apiTest: { outcome: 'failed', summary: 'no', checks: [], testedAt: base.updatedAt },
    });
    expect(text.endsWith('\n\nAPI test (failed):')).toBe(true);
  });
});
