import { InstantField, ReasonField } from '../../http/validators';

/** Optional body of POST /v1/clients/{id}/not-before. */
export class SetClientNotBeforeRequest {
  @InstantField('Recorded for people; at most now (a time in the future is 400 not_before_in_future). Absent: now. What ends tokens is this command\'s place in the log: every token of the client issued before it.')
  notBefore?: string;

  @ReasonField()
  reason?: string;
}
