import type { FileSharing } from '../../../policies';
import { evaluateExposure } from '../../../policies';

const INTERNAL = ['acme.com'];
const user = (login?: string) => ({ type: 'user' as const, ...(login === undefined ? {} : { login }) });

describe('evaluateExposure', () => {
  const cases: Array<[string, FileSharing, string]> = [
    ['a file shared with no one is private', { collaborators: [] }, 'private'],
    [
      'a collaborators-only link widens nothing',
      { sharedLink: { access: 'collaborators' }, collaborators: [] },
      'private',
    ],
    [
      'a company link makes it internal',
      { sharedLink: { access: 'company' }, collaborators: [] },
      'internal',
    ],
    ['an internal collaborator makes it internal', { collaborators: [user('bob@acme.com')] }, 'internal'],
    [
      'a collaborator of an internal subdomain is internal',
      { collaborators: [user('eve@eu.acme.com')] },
      'internal',
    ],
    ['a Box group is internal', { collaborators: [{ type: 'group' }] }, 'internal'],
    [
      'a collaborator from another domain makes it external',
      { collaborators: [user('x@partner.io')] },
      'external',
    ],
    ['a look-alike domain is external', { collaborators: [user('x@notacme.com')] }, 'external'],
    ['a collaborator without a login is external', { collaborators: [user()] }, 'external'],
    ['an open link makes it public', { sharedLink: { access: 'open' }, collaborators: [] }, 'public'],
    [
      'an open link beats external collaborators',
      { sharedLink: { access: 'open' }, collaborators: [user('x@partner.io')] },
      'public',
    ],
    [
      'no shared link (null) and a mixed audience is external',
      { sharedLink: null, collaborators: [user('a@acme.com'), user('b@gmail.com')] },
      'external',
    ],
  ];

  it.each(cases)('%s', (_title, sharing, level) => {
    expect(evaluateExposure(sharing, INTERNAL).accessLevel).toBe(level);
  });

  it('names the external domains, sorted, once each, and says why', () => {
    const exposure = evaluateExposure(
      { collaborators: [user('a@zeta.io'), user('b@Alpha.io'), user('c@zeta.io'), user('d@acme.com')] },
      INTERNAL,
    );
    expect(exposure.externalDomains).toEqual(['alpha.io', 'zeta.io']);
    expect(exposure.reason).toBe('collaborators from external domains: alpha.io, zeta.io');
  });

  it('compares internal domains without case and without a leading @', () => {
    expect(evaluateExposure({ collaborators: [user('bob@ACME.com')] }, ['@Acme.COM']).accessLevel).toBe(
      'internal',
    );
  });
});
