/**
 * E-mail through nodemailer (activities/mailer.ts) to the local SMTP sink (scripts/smtp-sink.ts): a sent
 * message arrives with its subject, recipients and text; a refused recipient or a server that is down is
 * an error, never "sent".
 */
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';
import { MailNotAcceptedError, MailNotConfiguredError, createSmtpMailer } from '../../activities/mailer';
import { readSinkFile, startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';

const smtpConfig = (port: number, extra: Record<string, string> = {}) =>
  loadConfig({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(port),
    MAIL_FROM: 'connect-box <connect-box@northwind-sim.example>',
    ...extra,
  });

describe('createSmtpMailer with the SMTP sink', () => {
  let sink: SmtpSink;
  let file: string;

  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'smtp-sink-')), 'mail', 'received.jsonl');
    sink = await startSmtpSink({ file, refuse: ['gone@northwind-sim.example'] });
  });
  afterAll(async () => {
    await sink.close();
  });

  test('a message arrives with its subject, recipients and text; the receipt lists who accepted it', async () => {
    const mailer = createSmtpMailer(smtpConfig(sink.port), { connectionTimeoutMs: 2000 });
    const before = sink.messages.length;
    const text =
      'Der öffentliche Link auf „payroll-2026.xlsx“ wurde entfernt.\nFragen: it-security@northwind-sim.example\n';
    const receipt = await mailer.send({
      to: ['owner@northwind-sim.example'],
      cc: ['security@northwind-sim.example'],
      subject: 'connect-box: Link entfernt – payroll-2026.xlsx',
      text,
    });
    mailer.close();
    expect(receipt.accepted.sort()).toEqual([
      'owner@northwind-sim.example',
      'security@northwind-sim.example',
    ]);
    expect(receipt.rejected).toEqual([]);
    expect(receipt.messageId).toMatch(/^<.+@.+>$/);
    const [message] = (await sink.waitFor(before + 1)).slice(before);
    expect(message).toMatchObject({
      messageId: receipt.messageId,
      subject: 'connect-box: Link entfernt – payroll-2026.xlsx',
      from: '"connect-box" <connect-box@northwind-sim.example>',
      to: ['owner@northwind-sim.example'],
      cc: ['security@northwind-sim.example'],
      envelope: {
        from: 'connect-box@northwind-sim.example',
        to: ['owner@northwind-sim.example', 'security@northwind-sim.example'],
      },
    });
    expect(message!.text.trimEnd()).toBe(text.trimEnd());
    // Another process (the demo) reads the same messages from the sink's file.
    expect(readSinkFile(file).map((m) => m.messageId)).toContain(receipt.messageId);
  });

  test('a refused recipient: alone it is an error and nothing is delivered; beside an accepted one it is reported', async () => {
    const mailer = createSmtpMailer(smtpConfig(sink.port), { connectionTimeoutMs: 2000 });
    const before = sink.messages.length;
    await expect(
      mailer.send({ to: ['gone@northwind-sim.example'], subject: 'lost', text: 'lost' }),
    ).rejects.toThrow();
    expect(sink.messages.length).toBe(before);
    const receipt = await mailer.send({
      to: ['owner@northwind-sim.example', 'gone@northwind-sim.example'],
      subject: 'half',
      text: 'half',
    });
    mailer.close();
    expect(receipt).toMatchObject({
      accepted: ['owner@northwind-sim.example'],
      rejected: ['gone@northwind-sim.example'],
    });
    const [message] = (await sink.waitFor(before + 1)).slice(before);
    expect(message!.envelope.to).toEqual(['owner@northwind-sim.example']);
  });

  test('no recipient, no server configured, or a server that is down: an error, never a receipt', async () => {
    const mailer = createSmtpMailer(smtpConfig(sink.port));
    await expect(mailer.send({ to: [' '], subject: 's', text: 't' })).rejects.toBeInstanceOf(
      MailNotAcceptedError,
    );
    mailer.close();
    expect(() => createSmtpMailer(loadConfig({}))).toThrow(MailNotConfiguredError);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = createSmtpMailer(smtpConfig(port), { connectionTimeoutMs: 2000 });
    await expect(
      down.send({ to: ['owner@northwind-sim.example'], subject: 's', text: 't' }),
    ).rejects.toMatchObject({ code: 'ESOCKET', message: expect.stringContaining('ECONNREFUSED') as unknown });
    down.close();
  });

  test('SMTP_USER and SMTP_PASSWORD authenticate; a wrong password is an error', async () => {
    const guarded = await startSmtpSink({ users: { demo: 'secret' } });
    try {
      const mailer = createSmtpMailer(
        smtpConfig(guarded.port, { SMTP_USER: 'demo', SMTP_PASSWORD: 'secret' }),
      );
      const receipt = await mailer.send({
        to: ['owner@northwind-sim.example'],
        subject: 'auth',
        text: 'auth',
      });
      mailer.close();
      expect(receipt.accepted).toEqual(['owner@northwind-sim.example']);
      const [message] = await guarded.waitFor(1);
      expect(message).toMatchObject({ user: 'demo', subject: 'auth' });
      const wrong = createSmtpMailer(smtpConfig(guarded.port, { SMTP_USER: 'demo', SMTP_PASSWORD: 'nope' }));
      await expect(
        wrong.send({ to: ['owner@northwind-sim.example'], subject: 'x', text: 'x' }),
      ).rejects.toMatchObject({ code: 'EAUTH' });
      wrong.close();
      expect(guarded.messages).toHaveLength(1);
    } finally {
      await guarded.close();
    }
  });
});
