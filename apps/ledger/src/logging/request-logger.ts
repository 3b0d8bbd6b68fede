import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The logger Fastify gives each request (request.log), bound to its request id. pino's child() serialises the
 * bindings and builds a logger object for every request, although a request logs once (the access line) or not at
 * all; this one is three references, and makes a child only when someone asks for one.
 */
export class RequestLogger implements FastifyBaseLogger {
  private bound?: Logger;

  constructor(
    private readonly root: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.root.level;
  }
  set level(level: string) {
    this.child({}).level = level;
  }

  // Methods on the prototype, not arrow fields: nothing is allocated per request but the object itself.
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    this.bound ??= this.root.child(this.bindings, this.options);
    return Object.keys(bindings).length === 0 && options === undefined ? this.bound : this.bound.child(bindings, options);
  }

  /**
   * A line goes through the root logger with the bindings merged into its object: the same JSON as a child's line,
   * without making a child for the one line a request writes.
   */
  private write(level: Level, args: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const log = this.root[level] as (...a: unknown[]) => void;
    const [first, ...rest] = args;
    if (first !== null && typeof first === 'object' && !(first instanceof Error)) log.call(this.root, { ...this.bindings, ...first }, ...rest);
    else if (first instanceof Error) log.call(this.root, { ...this.bindings, err: first }, ...rest);
    else log.call(this.root, this.bindings, ...args);
  }
}

/** Fastify's childLoggerFactory: a RequestLogger per request instead of a pino child. */
export function requestLoggerFactory(this: unknown, logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new RequestLogger(logger as Logger, bindings, options);
}
