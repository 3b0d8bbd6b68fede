/**
 * Where subject keys live (docs/privacy.md, "Keys"): one random 256-bit key per subject, kept outside the data
 * directory and destroyed by an erasure. The event log never holds a key, only the `kid` that names one.
 */
export interface SubjectKeys {
  /** The subject's live key, created when it has none (on stable storage once `durable([kid])` resolves). */
  keyFor(userId: string): { kid: string; key: Buffer };
  /**
   * Resolves once the keys named are on stable storage. An append sealed under a new key waits for it, so that no
   * event reaches the log before the key that opens it: one sync then covers every key created meanwhile, rather
   * than one synchronous fsync per new subject on the event loop. An append whose keys are all durable already does
   * not wait for the sync of another subject's new key (a revocation during a burst of new users).
   */
  durable(kids: Iterable<string>): Promise<void>;
  /** The subject's live key id, without creating one. */
  liveKid(userId: string): string | undefined;
  /** A key by id: its bytes; 'erased' once destroyed; undefined when this store never held it. */
  key(kid: string): Buffer | 'erased' | undefined;
  /** Destroys a key for good. Idempotent. */
  destroy(kid: string): void;
}

export const SUBJECT_KEYS = Symbol('SUBJECT_KEYS');
