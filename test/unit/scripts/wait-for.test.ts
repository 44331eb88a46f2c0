import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ForeignAnswerError, answersAs, waitFor } from '../../../scripts/wait-for';
import { startTestApi } from '../../helpers/api-server';

/** A local HTTP server answering every GET with `body` as JSON. */
async function serve(body: unknown, status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`, server };
}

describe('health checks that ask who answers', () => {
  it('accepts the instance the launcher gave the service', async () => {
    const { url, server } = await serve({ ok: true, instance: 'mine' });
    await expect(answersAs(url, 'mine', 'box-sim')).resolves.toBe(true);
    server.close();
  });

  it('a foreign answer stops the wait at once, naming what answered', async () => {
    const { url, server } = await serve({ ok: true, instance: 'someone-else' });
    const started = Date.now();
    const err = await waitFor('box-sim', () => answersAs(url, 'mine', 'box-sim'), 30_000).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ForeignAnswerError);
    expect((err as Error).message).toContain('not as the box-sim this launcher started');
    expect((err as Error).message).toContain('"someone-else"');
    expect(Date.now() - started).toBeLessThan(20_000); // it did not wait for the timeout
    server.close();
  });

  it('a program that is not ours at all (no instance) is foreign too; a 5xx is not ready yet', async () => {
    const other = await serve({ hello: 'world' });
    await expect(answersAs(other.url, 'mine', 'API')).rejects.toBeInstanceOf(ForeignAnswerError);
    other.server.close();
    const starting = await serve({ status: 'degraded', instance: 'mine' }, 503);
    await expect(answersAs(starting.url, 'mine', 'API')).resolves.toBe(false);
    starting.server.close();
  });

  it('the API says its instance on /healthz', async () => {
    const api = await startTestApi();
    const res = await api.app.inject({ url: '/healthz' });
    expect(res.json()).toMatchObject({ status: 'ok', instance: '' });
    await api.close();
  });
});
