/** Unit: box-sim's one error factory, and that nothing in box-sim builds a fault around it. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BoxApiFault, OAuthFault, UnauthorizedFault, boxErrors } from '../../../box-sim/errors';

const BOX_SIM = join(__dirname, '..', '..', '..', 'box-sim');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('box-sim error factory', () => {
  test("a fault's body is Box's error shape with the request's ID", () => {
    const fault = boxErrors.notFound('file', '1000000000042');
    expect(fault.body('0123456789abcdef')).toEqual({
      type: 'error',
      status: 404,
      code: 'not_found',
      message: 'Not Found',
      request_id: '0123456789abcdef',
      help_url: 'http://developers.box.com/docs/#errors',
      context_info: {
        errors: [
          {
            reason: 'invalid_parameter',
            name: 'item',
            message: "Invalid value 'f_1000000000042'. 'item' with value 'f_1000000000042' not found",
          },
        ],
      },
    });
  });

  test('injected faults keep their status: 503 is unavailable, other 5xx internal_server_error', () => {
    expect([boxErrors.injected(503).status, boxErrors.injected(503).code]).toEqual([503, 'unavailable']);
    for (const status of [500, 502])
      expect([boxErrors.injected(status).status, boxErrors.injected(status).code]).toEqual([
        status,
        'internal_server_error',
      ]);
  });

  test('token and OAuth faults have their own types (empty 401, OAuth error body)', () => {
    expect(boxErrors.unauthorized('expired access token')).toBeInstanceOf(UnauthorizedFault);
    expect(boxErrors.invalidGrant('used')).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(boxErrors.invalidGrant('used')).toBeInstanceOf(OAuthFault);
    expect(boxErrors.notServed('GET', '/2.0/search')).toBeInstanceOf(BoxApiFault);
  });

  test('no box-sim file but errors.ts constructs a fault: every error goes through boxErrors', () => {
    const inline = sources(BOX_SIM)
      .filter((file) => !file.endsWith(join('box-sim', 'errors.ts')))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${relative(BOX_SIM, file)}:${i + 1}`, line }))
          .filter(({ line }) => /new (BoxApiFault|OAuthFault|UnauthorizedFault)\b/.test(line)),
      );
    expect(inline).toEqual([]);
  });
});
