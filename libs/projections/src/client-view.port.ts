import type { ClientRow } from './ledger-views';

/** The client view as its readers see it; injected by CLIENT_VIEW. It stays queryable during a rebuild. */
export interface ClientView {
  client(clientId: string): ClientRow | undefined;
  /** Clients in client id order (a stable order: ids never change and are never reused), after `after` if given. */
  clients(options: { after?: string; limit: number }): ClientRow[];
}
