import { invalid } from './domain-error';

/**
 * The not-before time a SetXxxNotBefore command records, or undefined when the one in force already covers it.
 *
 * What ends tokens is the POSITION of the event that records it: a token issued earlier in the log is inactive, one
 * issued later is not (docs/design.md, "Not-before"). The time is for people; it is never compared with a token's
 * `iat`, which comes from whichever instance's clock issued it. So a time in the future is refused (no event can be
 * placed after a log position that does not exist yet), and a time at or before the one in force changes nothing: it
 * names tokens the earlier cut already ended, and a retry of the same request is thereby a no-op.
 */
export function notBeforeToSet(requested: string | undefined, current: string | null, now: Date): string | undefined {
  const at = requested === undefined ? now.getTime() : Date.parse(requested);
  if (Number.isNaN(at)) throw invalid('invalid_not_before', 'notBefore must be an RFC 3339 date-time');
  if (at > now.getTime()) {
    throw invalid('not_before_in_future', `notBefore ${new Date(at).toISOString()} is in the future (now ${now.toISOString()}); omit it to mean now`);
  }
  if (current !== null && at <= Date.parse(current)) return undefined;
  return new Date(at).toISOString();
}
