import type { BoxClient } from 'box-node-sdk';
import { describeBoxError } from '../box/box-errors';
import type { ApiTestCheck, ApiTestReport } from '../domain/connector-status';

/**
 * The API test run right after authorization: who authorized (role, enterprise), and whether the
 * account can do what scanning needs — list the enterprise's users, read the enterprise event log, and
 * act as another user. An admin passes; a co-admin is reported failed yet connected with other admins'
 * files out of scope; a plain user or an account without an enterprise fails.
 */
export async function runApiTest(client: BoxClient, now = new Date()): Promise<ApiTestReport> {
  const me = await client.users.getUserMe({ fields: ['id', 'login', 'name', 'role', 'enterprise'] });
  const user = { id: me.id, login: me.login ?? '(unknown)', name: me.name ?? '', role: me.role ?? 'user' };
  const enterprise = me.enterprise?.id ? { id: me.enterprise.id, name: me.enterprise.name ?? '' } : undefined;
  const checks: ApiTestCheck[] = [
    { name: 'Authorized account', passed: true, message: `Signed in as ${user.login} (${user.role}).` },
    enterprise
      ? {
          name: 'Enterprise membership',
          passed: true,
          message: `Member of the enterprise ${enterprise.name} (${enterprise.id}).`,
        }
      : {
          name: 'Enterprise membership',
          passed: false,
          message: `${user.login} is a personal account that belongs to no Box enterprise.`,
        },
    {
      name: 'Admin role',
      passed: user.role === 'admin',
      message:
        user.role === 'admin'
          ? 'The account is a Box admin.'
          : user.role === 'coadmin'
            ? 'The account is a co-admin, not the Box admin: files owned by other admins cannot be read.'
            : 'The account is a regular user, not a Box admin.',
    },
  ];

  let otherUserId: string | undefined;
  let listed = false;
  checks.push(
    await check('List enterprise users', async () => {
      const page = await client.users.getUsers({ limit: 1000, usemarker: true, fields: ['id', 'role'] });
      const entries = page.entries ?? [];
      listed = true;
      // Prefer a plain user (anyone may act as one); fall back to any other account of the first page.
      const others = entries.filter((u) => u.id !== user.id);
      otherUserId = (others.find((u) => u.role === 'user') ?? others.find((u) => u.role !== 'admin'))?.id;
      return `Listed ${entries.length} user(s)${page.nextMarker ? ' (first page)' : ''}.`;
    }),
    await check('Read the enterprise event log', async () => {
      const events = await client.events.getEvents({ streamType: 'admin_logs', limit: 1 });
      return `Read ${events.entries?.length ?? 0} event(s) from admin_logs.`;
    }),
  );
  checks.push(
    otherUserId
      ? await check('Act as another user', async () => {
          const other = await client
            .withAsUserHeader(otherUserId!)
            .users.getUserMe({ fields: ['id', 'login'] });
          return `Acted as ${other.login ?? other.id}.`;
        })
      : listed
        ? {
            name: 'Act as another user',
            passed: true,
            message:
              'The enterprise has no other non-admin user to act as yet; acting as users is tested by the scan.',
          }
        : {
            name: 'Act as another user',
            passed: false,
            message: 'Users could not be listed, so no user could be acted as.',
          },
  );

  return { ...verdict(user, enterprise, checks), checks, user, enterprise, testedAt: now.toISOString() };
}

function verdict(
  user: { login: string; role: string },
  enterprise: { id: string } | undefined,
  checks: ApiTestCheck[],
): Pick<ApiTestReport, 'outcome' | 'summary' | 'scope'> {
  if (!enterprise)
    return {
      outcome: 'failed',
      summary: `${user.login} does not belong to a Box enterprise; authorize with an admin of the enterprise.`,
    };
  if (user.role === 'user') return { outcome: 'failed', summary: `${user.login} is not a Box admin.` };
  const failed = checks.filter((c) => !c.passed && c.name !== 'Admin role');
  if (failed.length > 0)
    return {
      outcome: 'failed',
      summary: `${user.login} cannot ${failed.map((c) => c.name.toLowerCase()).join(', ')}: ${failed[0]!.message}`,
    };
  if (user.role === 'coadmin')
    return {
      outcome: 'passedWithWarning',
      summary: `${user.login} is a co-admin: the API test is reported as failed, and files owned by other admins are out of scope.`,
      scope: 'allButOtherAdmins',
    };
  return { outcome: 'passed', summary: 'Every check passed.', scope: 'allUsers' };
}

async function check(name: string, run: () => Promise<string>): Promise<ApiTestCheck> {
  try {
    return { name, passed: true, message: await run() };
  } catch (err) {
    const d = describeBoxError(err);
    return { name, passed: false, message: d.message };
  }
}
