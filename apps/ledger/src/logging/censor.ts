import type { Logger } from 'pino';

const CENSORED = '[redacted]';
/** Censored at the top of a line and in any object one level down. */
const SENSITIVE = ['authorization', 'access_token', 'token', 'secret', 'password', 'body'];
const TOP = new Set(SENSITIVE);
/** A request's headers: its cookie too. */
const HEADERS = [...SENSITIVE, 'cookie'];

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/**
 * An error is copied with its prototype and every own field (message and stack are not enumerable): pino's error
 * serializer, which runs after the censor, then writes it as it would have written the original.
 */
const copyOf = (o: Record<string, unknown>): Record<string, unknown> =>
  o instanceof Error ? (Object.create(Object.getPrototypeOf(o) as object, Object.getOwnPropertyDescriptors(o)) as Record<string, unknown>) : { ...o };

/** `value` with the names censored, copied only if one is there. */
function censorIn(value: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const name of names) if (hasOwn(value, name)) (copy ??= copyOf(value))[name] = CENSORED;
  return copy ?? value;
}

/** A request: its own sensitive fields, and its headers one level further down. */
function censorRequest(req: Record<string, unknown>): Record<string, unknown> {
  const own = censorIn(req, SENSITIVE);
  if (!isRecord(req.headers)) return own;
  const headers = censorIn(req.headers, HEADERS);
  if (headers === req.headers) return own;
  // `own` is already a copy when it censored something; otherwise copy now (an error keeps its prototype).
  const copy = own === req ? copyOf(req) : own;
  copy.headers = headers;
  return copy;
}

const censorField = (key: string, value: Record<string, unknown>) =>
  key === 'req' ? censorRequest(value) : censorIn(value, key === 'headers' ? HEADERS : SENSITIVE);

/**
 * The second line of defence behind "nothing logs a body or a header on purpose": a careless
 * `logger.debug({ body })` still cannot leak a token or a secret. pino's formatters.log, and see censorChildren.
 *
 * Not pino's `redact` option: its wildcard paths (`*.token`) ran a redactor on every field of every line, which
 * parsed each path and cloned the field each time, about a tenth of everything the service allocated per request
 * (docs/performance.md, "Thirteenth session: allocation"). This looks at the same names, and copies a line only when one is there.
 */
export function censor(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!hasOwn(fields, key)) continue;
    const value = fields[key];
    const next = TOP.has(key) ? CENSORED : isRecord(value) ? censorField(key, value) : value;
    if (next !== value) (copy ??= { ...fields })[key] = next;
  }
  return copy ?? fields;
}

/**
 * Every child's bindings through the censor as well. pino gives a child no bindings formatter of its own (it resets
 * it to the identity), so the root's `child` is wrapped; a child's own children inherit the wrapper from it.
 */
export function censorChildren(root: Logger): Logger {
  const child = root.child;
  root.child = function (this: Logger, bindings, options) {
    return child.call(this, censor(bindings), options);
  } as Logger['child'];
  return root;
}
