import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Level, Logger } from 'pino';
import { censor, censorChildren } from './censor';

let stdout: DestinationStream | undefined;

/** The one root logger of a service instance: JSON lines on stdout (or the given destination), ISO timestamps. */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  // One asynchronous stdout writer per process, however many apps a test process starts; pino flushes it on exit.
  const stream = destination ?? (stdout ??= pino.destination({ fd: 1, sync: false }));
  const root = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // The censor on every line (censor.ts says why not pino's redact); the base bindings are the pid alone.
      formatters: { level: (label) => ({ level: label }), log: censor },
    },
    stream,
  );
  return censorChildren(root);
}

const STACK = /\n\s+at /;

/**
 * Nest's LoggerService on pino, so that Nest's own messages and the service's share one JSON format. Accepts both
 * Nest's calling conventions (message, [stack], [context]) and structured objects ({ msg, ...fields }).
 */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]) {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = params.filter((p) => p !== undefined);
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string' && !STACK.test(rest[rest.length - 1] as string)) fields.context = rest.pop();
    if (typeof rest[0] === 'string' && STACK.test(rest[0])) fields.stack = rest.shift();
    if (rest.length > 0) fields.params = rest;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, message: text, ...more } = message as Record<string, unknown>;
      this.pino[level]({ ...fields, ...more }, String(msg ?? text ?? ''));
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
