import { InstantField } from '../../http/validators';

export class ConsentsAsOfQuery {
  @InstantField('RFC 3339 instant; default: now. Compared with recordedAt.')
  asOf?: string;
}
