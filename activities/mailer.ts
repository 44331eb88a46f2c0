/**
 * Outgoing e-mail for governance notifications, through nodemailer over the SMTP settings in
 * configuration (SMTP_HOST, SMTP_PORT, SMTP_SECURE, SMTP_USER, SMTP_PASSWORD, MAIL_FROM). A message
 * counts as sent only once the SMTP server accepted it for at least one recipient: anything else throws,
 * so the workflow's activity retries it and the action shows the failure.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../config/config';

/** One message to send. */
export interface MailMessage {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
}

/** What the SMTP server said: its message ID and the recipients it accepted and refused. */
export interface MailReceipt {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** Sends e-mail. */
export interface Mailer {
  /** Throws unless the server accepted the message for at least one recipient. */
  send(message: MailMessage): Promise<MailReceipt>;
  /** Closes pooled connections. */
  close(): void;
}

/** Thrown when the SMTP server accepted the message for no recipient (or it was never handed over). */
export class MailNotAcceptedError extends Error {
  constructor(
    message: string,
    readonly rejected: string[],
  ) {
    super(message);
    this.name = 'MailNotAcceptedError';
  }
}

/** Thrown when no SMTP server is configured (SMTP_HOST unset). */
export class MailNotConfiguredError extends Error {
  constructor() {
    super('No SMTP server is configured: set SMTP_HOST (and SMTP_PORT, MAIL_FROM) to send e-mail');
    this.name = 'MailNotConfiguredError';
  }
}

/** Tuning of createSmtpMailer (tests shorten the timeouts). */
export interface SmtpMailerOptions {
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** A Mailer over nodemailer's SMTP transport with the configured server. */
export function createSmtpMailer(config: Pick<Config, 'smtp'>, options: SmtpMailerOptions = {}): Mailer {
  const smtp = config.smtp;
  if (!smtp.host) throw new MailNotConfiguredError();
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user !== undefined && { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
    connectionTimeout: options.connectionTimeoutMs ?? 30_000,
    greetingTimeout: options.connectionTimeoutMs ?? 30_000,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
  });
  return {
    async send(message) {
      const to = clean(message.to);
      const cc = clean(message.cc ?? []);
      if (to.length === 0) throw new MailNotAcceptedError('A message needs at least one recipient (to)', []);
      const info = await transport.sendMail({
        from: smtp.from,
        to,
        ...(cc.length > 0 && { cc }),
        subject: message.subject,
        text: message.text,
      });
      const accepted = addresses(info.accepted);
      const rejected = addresses(info.rejected);
      if (accepted.length === 0)
        throw new MailNotAcceptedError(
          `The SMTP server accepted no recipient (refused: ${rejected.join(', ') || 'all'})`,
          rejected,
        );
      return { messageId: String(info.messageId ?? ''), accepted, rejected };
    },
    close() {
      transport.close();
    },
  };
}

function clean(list: readonly string[]): string[] {
  return [...new Set(list.map((a) => a.trim()).filter((a) => a !== ''))];
}

function addresses(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((a: unknown) =>
    typeof a === 'string' ? a : String((a as { address?: string } | null)?.address ?? ''),
  );
}
