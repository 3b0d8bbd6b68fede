import { PageQuery } from '../../http/page.request';

/** `limit` (clients per page) and `cursor`, as on every list. */
export class ListClientsQuery extends PageQuery {}
