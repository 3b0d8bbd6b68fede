/**
 * Which fields of a stored event are personal, and how they are stored: sealed under the subject's key (crypto-
 * shredding, docs/privacy.md). This file holds the pure rules; the cipher and the keys are given by the caller
 * (libs/audit sealed-event-store.ts), so that the rules are tested without either.
 *
 * The subject of an event is the user its data names (`data.userId`). An event without one (client, scope, ledger-wide
 * events) has no subject and is stored as it is: its free text is about a client, not a person.
 */

/** A personal value as it is stored: AES-256-GCM under the subject key `kid`, bound to its event and field. */
export interface SealedField {
  enc: string;
  kid: string;
}

/** The fields sealed, where they sit: the user id and free text in the data, the caller's words in the metadata. */
export const PERSONAL_FIELDS = Object.freeze({ data: ['userId', 'reason'], metadata: ['reason', 'clientRequestId'] } as const);

type Place = keyof typeof PERSONAL_FIELDS;

/** What a shape must be to be read as sealed: exactly the two strings, so that no plain value is mistaken for one. */
export function isSealed(value: unknown): value is SealedField {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const v = value as Record<string, unknown>;
  return keys.length === 2 && typeof v.enc === 'string' && typeof v.kid === 'string';
}

/**
 * The additional authenticated data of a sealed field: the event's id and the field's place. A ciphertext moved to
 * another event or field does not open.
 */
export const sealingContext = (eventId: string, place: Place, field: string) => `${eventId}\u0000${place}.${field}`;

/**
 * The user id an erased subject reads as: a pseudonym made of the destroyed key's id, so that the events of one
 * subject still read as one subject (the views group them, the not-before of the erasure applies to them) while
 * naming no one. `~` is outside USER_ID_PATTERN, so no request can name or become one.
 */
export const erasedUserId = (kid: string) => `~erased:${kid}`;
export const isErasedUserId = (userId: unknown): boolean => typeof userId === 'string' && userId.startsWith('~erased:');

export interface StoredFields {
  id: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Seals a plain string under a kid; the caller's cipher. */
export type Seal = (plain: string, kid: string, context: string) => string;
/** Opens a sealed value: the plain string, or undefined when its key has been destroyed (erased). */
export type Open = (field: SealedField, context: string) => string | undefined;

/**
 * The event as it is to be stored: every personal field that holds a string, sealed under the key of the subject the
 * event names. `kidOf` is asked only for an event that has a subject; an event without one comes back unchanged.
 */
export function sealEvent<E extends StoredFields>(event: E, kidOf: (userId: string) => string, seal: Seal): E {
  const userId = event.data.userId;
  if (typeof userId !== 'string') return event;
  const kid = kidOf(userId);
  const sealPlace = (place: Place, fields: Record<string, unknown>) => {
    const out = { ...fields };
    for (const field of PERSONAL_FIELDS[place]) {
      const value = out[field];
      if (typeof value === 'string') out[field] = { enc: seal(value, kid, sealingContext(event.id, place, field)), kid } satisfies SealedField;
    }
    return out;
  };
  return { ...event, data: sealPlace('data', event.data), metadata: sealPlace('metadata', event.metadata) };
}

/**
 * The event as readers see it: sealed fields opened. A field whose key is gone reads as erased: the user id as its
 * pseudonym (erasedUserId), free text as null in the data (where the domain has `string | null`) and as absent in the
 * metadata (where it is optional); the data then says `erased: true`. Plain fields (events written before sealing)
 * pass unchanged, and so does an event with nothing sealed (the same object).
 */
export function openEvent<E extends StoredFields>(event: E, open: Open): E {
  let erased = false;
  let changed = false;
  const openPlace = (place: Place, fields: Record<string, unknown>) => {
    let out: Record<string, unknown> | undefined;
    for (const field of PERSONAL_FIELDS[place]) {
      const value = fields[field];
      if (!isSealed(value)) continue;
      out ??= { ...fields };
      changed = true;
      const plain = open(value, sealingContext(event.id, place, field));
      if (plain !== undefined) out[field] = plain;
      else {
        erased = true;
        if (field === 'userId') out[field] = erasedUserId(value.kid);
        else if (place === 'data') out[field] = null;
        else delete out[field];
      }
    }
    return out ?? fields;
  };
  const data = openPlace('data', event.data);
  const metadata = openPlace('metadata', event.metadata);
  if (!changed) return event;
  return { ...event, data: erased ? { ...data, erased: true } : data, metadata };
}
