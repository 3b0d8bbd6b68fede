/**
 * Where subject keys live (docs/privacy.md, "Keys"): one random 256-bit key per subject, kept outside the data
 * directory and destroyed by an erasure. The event log never holds a key, only the `kid` that names one.
 */
export interface SubjectKeys {
  /** The subject's live key, created (and kept durably) when it has none. */
  keyFor(userId: string): { kid: string; key: Buffer };
  /** The subject's live key id, without creating one. */
  liveKid(userId: string): string | undefined;
  /** A key by id: its bytes; 'erased' once destroyed; undefined when this store never held it. */
  key(kid: string): Buffer | 'erased' | undefined;
  /** Destroys a key for good. Idempotent. */
  destroy(kid: string): void;
}

export const SUBJECT_KEYS = Symbol('SUBJECT_KEYS');
