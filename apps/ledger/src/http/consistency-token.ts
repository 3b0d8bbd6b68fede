import { problem, ProblemError } from './problem';

export const CONSISTENCY_HEADER = 'ledger-consistency';

const NONE: number[] = [];

const TOKEN = /^v1\.[A-Za-z0-9_-]{11}$/;

/**
 * The consistency token of a command's answer (docs/scaling.md): a global log position, opaque to callers so that
 * its encoding can change behind the version prefix. v1 is 8 bytes, big-endian, of position + 1, base64url without
 * padding: "+ 1" lets the empty log (position -1) have a token too. Positions stay below 2^53 (docs/scaling.md,
 * Limits), so the value is exact as a number.
 */
export function consistencyToken(position: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(Math.max(position, -1) + 1));
  return `v1.${bytes.toString('base64url')}`;
}

/**
 * The position a token names. Strict: anything that consistencyToken() could not have produced is refused with 400
 * rather than read as a guess, since a wrong guess would make the answer wait for the wrong position.
 */
export function parseConsistencyToken(token: string): number {
  if (TOKEN.test(token)) {
    const bytes = Buffer.from(token.slice(3), 'base64url');
    const value = bytes.readBigUInt64BE();
    // Base64url has several spellings of the last character's unused bits; only the canonical one is a token.
    if (bytes.toString('base64url') === token.slice(3) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value) - 1;
  }
  throw new ProblemError(problem(400, 'invalid_consistency_token', 'Bad request', 'The consistency token is not one this service issued'));
}

/**
 * The positions named by a request's consistency tokens: the `consistency` form parameter (repeatable) and the
 * Ledger-Consistency header, both optional. Throws the 400 problem for a malformed one.
 */
export function consistencyPositions(parameter: unknown, header: unknown): number[] {
  // The usual introspection names none: no arrays built for it.
  if (parameter === undefined && header === undefined) return NONE;
  return [parameter, header].flatMap(values).map(parseConsistencyToken);
}

/** A repeated parameter arrives as an array; anything but strings is malformed (parseConsistencyToken refuses ''). */
const values = (raw: unknown): string[] =>
  raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'string' ? v : ''));
