/** The SMTP sink's message reader: headers, encoded words and transfer encodings as nodemailer writes them. */
import { parseMessage } from '../../../scripts/smtp-sink';

const envelope = { from: 'a@x.example', to: ['b@x.example'] };

describe('parseMessage', () => {
  test('folded headers, lists and RFC 2047 words; quoted-printable text', () => {
    const raw = [
      'From: "connect-box" <cb@x.example>',
      'To: b@x.example,',
      ' c@x.example',
      'Cc: d@x.example',
      'Subject: =?UTF-8?Q?Link_entfernt_=E2=80=93_payroll?=',
      'Message-ID: <1@x.example>',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Der =C3=B6ffentliche Link wurde entfernt, 100% sicher. Eine sehr lange Zeile, die=',
      ' umbrochen wurde.',
      '',
    ].join('\r\n');
    expect(parseMessage(raw, envelope)).toMatchObject({
      envelope,
      from: '"connect-box" <cb@x.example>',
      to: ['b@x.example', 'c@x.example'],
      cc: ['d@x.example'],
      subject: 'Link entfernt – payroll',
      messageId: '<1@x.example>',
      text: 'Der öffentliche Link wurde entfernt, 100% sicher. Eine sehr lange Zeile, die umbrochen wurde.\n',
    });
  });

  test('base64 text and a base64 subject', () => {
    const raw = [
      'Subject: =?UTF-8?B?' + Buffer.from('Quarantäne').toString('base64') + '?=',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('Grüße\n').toString('base64'),
    ].join('\r\n');
    expect(parseMessage(raw, envelope)).toMatchObject({
      subject: 'Quarantäne',
      text: 'Grüße\n',
      to: [],
      cc: [],
    });
  });
});
