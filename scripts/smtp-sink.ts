/**
 * A local SMTP sink for the embedded stack and tests: `smtp-server` on loopback (a free port by default)
 * that accepts every message (except recipients it was told to refuse), keeps them in memory and, when
 * given a file, appends each as one JSON line, so the demo (another process) can print what connect-box
 * sent. Nothing leaves the machine. `npm start` runs one inside the launcher and gives the worker its
 * SMTP_HOST and SMTP_PORT (scripts/dev-stack.ts).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server as NetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** One message the sink received. */
export interface SinkMessage {
  /** When it arrived (ISO). */
  receivedAt: string;
  /** SMTP envelope: MAIL FROM and the RCPT TO addresses the sink accepted. */
  envelope: { from: string; to: string[] };
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  /** The text body, transfer encoding undone. */
  text: string;
  /** The user the client authenticated as (SMTP AUTH), if it did. */
  user?: string;
}

/** A running sink. */
export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  /** Every message received, oldest first. */
  readonly messages: readonly SinkMessage[];
  /** Resolves once `count` messages arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<readonly SinkMessage[]>;
  close(): Promise<void>;
}

/** Options of startSmtpSink. */
export interface SmtpSinkOptions {
  /** 127.0.0.1 unless told otherwise (loopback only is the point). */
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Appends each message as a JSON line here (the folder is created). */
  file?: string;
  /** Recipients answered `550` at RCPT TO (case-insensitive). */
  refuse?: readonly string[];
  /** Accounts AUTH must match (user name to password); unset: any AUTH is accepted, and none needed. */
  users?: Readonly<Record<string, string>>;
  /** Called for each message once kept. */
  onMessage?: (message: SinkMessage) => void;
}

/** Starts the sink; resolves once it listens. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const refused = new Set((options.refuse ?? []).map((a) => a.toLowerCase()));
  const messages: SinkMessage[] = [];
  const waiters: Array<() => void> = [];
  if (options.file) mkdirSync(dirname(options.file), { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'connect-box SMTP sink',
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      const users = options.users;
      if (users && users[auth.username ?? ''] !== auth.password)
        return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      if (refused.has(address.address.toLowerCase())) {
        const err = Object.assign(new Error(`Mailbox ${address.address} unavailable`), { responseCode: 550 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const message = parseMessage(Buffer.concat(chunks).toString('utf8'), {
          from: envelopeFrom,
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        if (typeof session.user === 'string') message.user = session.user;
        messages.push(message);
        if (options.file) appendFileSync(options.file, JSON.stringify(message) + '\n');
        options.onMessage?.(message);
        for (const w of waiters.splice(0)) w();
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors on one client connection (a peer that hangs up) must not stop the sink.
  server.on('error', () => undefined);
  const address = (server as unknown as { server: NetServer }).server.address();
  if (!address || typeof address === 'string') throw new Error('the SMTP sink has no port');
  return {
    host,
    port: address.port,
    messages,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(
            `the SMTP sink got ${messages.length} message(s), not ${count}, in ${timeoutMs} ms`,
          );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Where `npm start`'s sink keeps what it received: `DATA_DIR/mail/received.jsonl`. */
export function sinkFile(dataDir: string): string {
  return join(dataDir, 'mail', 'received.jsonl');
}

/** The messages a sink appended to its file (none when it has none yet). */
export function readSinkFile(file: string): SinkMessage[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SinkMessage);
}

/** Splits an RFC 5322 message into the headers the demo shows and its text body. */
export function parseMessage(raw: string, envelope: SinkMessage['envelope']): SinkMessage {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) headers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  const list = (name: string) =>
    (headers.get(name) ?? '')
      .split(',')
      .map((a) => decodeWords(a.trim()))
      .filter((a) => a !== '');
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  return {
    receivedAt: new Date().toISOString(),
    envelope,
    messageId: headers.get('message-id') ?? '',
    from: decodeWords(headers.get('from') ?? ''),
    to: list('to'),
    cc: list('cc'),
    subject: decodeWords(headers.get('subject') ?? ''),
    text: text.replace(/\r\n/g, '\n'),
  };
}

function decodeQuotedPrintable(text: string): string {
  const src = Buffer.from(text.replace(/=\r?\n/g, ''), 'utf8');
  const out: number[] = [];
  const hex = (b: number | undefined) =>
    b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
  for (let i = 0; i < src.length; i++) {
    if (src[i] === 0x3d && hex(src[i + 1]) && hex(src[i + 2])) {
      out.push(parseInt(src.subarray(i + 1, i + 3).toString('latin1'), 16));
      i += 2;
    } else out.push(src[i]!);
  }
  return Buffer.from(out).toString('utf8');
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}
