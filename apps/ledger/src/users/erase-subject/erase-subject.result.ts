/** What an erasure answers, first time and every time after: it names the destroyed key, never the subject. */
export interface ErasureResult {
  erased: true;
  kid: string;
  /** The pseudonym the subject's events and rows read as from now on (history, as-of, the views). */
  pseudonym: string;
  erasedAt: string;
  revision: number;
}
