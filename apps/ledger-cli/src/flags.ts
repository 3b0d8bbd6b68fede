import { UsageError } from './cli-command';

// Flag values are parsed here, once, at the edge: a malformed one is a usage error before any store is opened.

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function time(raw: string | undefined, flag: string, required = false): Date | undefined {
  if (raw === undefined) {
    if (required) throw new UsageError(`${flag} is required (an RFC 3339 time, e.g. 2026-01-31T23:59:59Z)`);
    return undefined;
  }
  const t = new Date(raw);
  if (!RFC3339.test(raw) || Number.isNaN(t.getTime())) throw new UsageError(`${flag} must be an RFC 3339 time, e.g. 2026-01-31T23:59:59Z`);
  return t;
}

export function position(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new UsageError(`${flag} must be a whole number >= 0`);
  return Number(raw);
}

export function pattern(raw: string | undefined, re: RegExp, flag: string): string | undefined {
  if (raw !== undefined && !re.test(raw)) throw new UsageError(`${flag} is malformed`);
  return raw;
}
