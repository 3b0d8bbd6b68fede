import type { ClientRow, ClientSecretRow } from './ledger-views';

/** The client view as its readers see it; injected by CLIENT_VIEW. Its clients stay queryable during a rebuild. */
export interface ClientView {
  client(clientId: string): ClientRow | undefined;
  /**
   * The client's secrets, oldest first, each with its hash, window and revocation. Throws ViewsRebuildingError while
   * the views are rebuilt from an empty file: a secret must not authenticate on a view that may not have seen its end.
   */
  secrets(clientId: string): ClientSecretRow[];
  /** Clients in client id order (a stable order: ids never change and are never reused), after `after` if given. */
  clients(options: { after?: string; limit: number }): ClientRow[];
}
