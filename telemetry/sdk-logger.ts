/**
 * The Temporal SDK's Logger interface written to pino: what the SDK logs (worker state, workflow `log`,
 * activity `log`, and the Rust core's lines when they are forwarded) becomes JSON lines of the worker's
 * log, with the SDK's metadata as fields: workflowId, runId, workflowType, activity, activityId, attempt,
 * taskQueue, sdkComponent, and the connectorId that a connector's workflow IDs carry.
 */
import type { Logger as SdkLogger, LogLevel, LogMetadata } from '@temporalio/common';
import type { Logger as PinoLogger } from 'pino';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The connector a workflow ID belongs to (`connector/<id>[/...]`, `governance/<id>/<action>`). */
export function connectorOfWorkflow(workflowId: unknown): string | undefined {
  if (typeof workflowId !== 'string') return undefined;
  return /^(?:connector|governance)\/([^/]+)/.exec(workflowId)?.[1];
}

/**
 * The SDK's metadata as log fields: string keys only (the SDK's timestamp is a symbol), `activityType`
 * named `activity`, and `connectorId` added from the workflow ID.
 */
export function sdkLogFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (value === undefined) continue;
    fields[key === 'activityType' ? 'activity' : key] = value;
  }
  const connectorId = connectorOfWorkflow(fields.workflowId);
  if (connectorId !== undefined && fields.connectorId === undefined) fields.connectorId = connectorId;
  return fields;
}

/** The SDK's Logger, writing to a pino logger (levels, fields and redaction are pino's). */
export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly pino: PinoLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.pino[PINO_LEVEL[level] ?? 'info'](sdkLogFields(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
