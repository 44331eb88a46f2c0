import type { LoggerOptions } from 'pino';
import pino from 'pino';

/**
 * box-sim's pino options: the same line format as connect-box's own logs (time in ISO 8601, level by name,
 * `component`, `pid`, `msg`; see telemetry/logger.ts), written here because box-sim stands alone. Its
 * lines carry paths only, never query strings or bodies, so they hold no tokens.
 */
export function boxSimLogOptions(level: string): LoggerOptions {
  return {
    level,
    base: { component: 'box-sim', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}
