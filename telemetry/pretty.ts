/**
 * Log lines for people: pino-pretty's text for the JSON lines the processes write. The files stay JSON
 * (machine-readable); this is for a terminal — `LOG_FORMAT=pretty`, or the launcher quoting a log.
 */
import type { DestinationStream } from 'pino';
import pinoPretty, { prettyFactory, type PrettyOptions } from 'pino-pretty';

/** `[time] LEVEL: component: message {other fields}` — time in UTC, pid and host left out. */
const PRETTY_OPTIONS: PrettyOptions = {
  translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l',
  ignore: 'pid,hostname,component',
  messageFormat: '{if component}{component}: {end}{msg}',
};

const singleLine = new Map<boolean, (line: string) => string>();

/**
 * One log line as one line of text for people: a JSON line formatted by pino-pretty (its other fields
 * after the message, compact); any other line (a program's banner) as it is. Colours only if `colorize`.
 */
export function prettyLogLine(line: string, colorize = false): string {
  if (!line.trimStart().startsWith('{')) return line;
  let format = singleLine.get(colorize);
  if (!format) {
    const pretty = prettyFactory({ ...PRETTY_OPTIONS, colorize, singleLine: true });
    format = (l: string) => pretty(l).replace(/\n$/, '');
    singleLine.set(colorize, format);
  }
  return format(line);
}

/** A stream that writes pino-pretty's text to stdout, for LOG_FORMAT=pretty (colours on a terminal only). */
export function prettyStdout(): DestinationStream {
  return pinoPretty({ ...PRETTY_OPTIONS, colorize: process.stdout.isTTY === true, sync: true });
}
