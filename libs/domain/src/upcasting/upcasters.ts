/**
 * One pure function per (type, version): it turns the data of that version into the data of the next one. Never
 * used to rewrite a stored event (the hash chain covers the stored bytes); applied on every read instead. Each fills
 * what the older shape lacked explicitly, from what it carried, so that no reader after it needs to know old shapes.
 */
type Data = Readonly<Record<string, unknown>>;
export type Upcaster = (data: Data) => Record<string, unknown>;

/**
 * Revocations v1 → v2: v1 listed the live tokens it ended (`endedTokens`); v2 counts them (`tokensEnded`). The list
 * stays: it names exactly the tokens the predicate names, and the views end those rows by it as they did.
 */
const revocationCountsTokens: Upcaster = (data) => {
  const ended = data.endedTokens;
  return { ...data, tokensEnded: Array.isArray(ended) ? ended.length : 0 };
};

/**
 * To the version whose personal fields are stored sealed: the data is the same, because the store's codec
 * (libs/audit sealed-event-store.ts) opens sealed fields before any upcaster runs and passes plain ones through.
 */
const sealedPersonalFields: Upcaster = (data) => data;

/** UPCASTERS[type][v]: from version v to v + 1. */
export const UPCASTERS: Readonly<Record<string, Readonly<Record<number, Upcaster>>>> = Object.freeze({
  ConsentGranted: { 1: sealedPersonalFields },
  ConsentScopesExtended: { 1: sealedPersonalFields },
  ConsentScopesRevoked: { 1: revocationCountsTokens, 2: sealedPersonalFields },
  ConsentRevoked: { 1: revocationCountsTokens, 2: sealedPersonalFields },
  TokenIssued: { 1: sealedPersonalFields },
  TokenRevoked: { 1: sealedPersonalFields },
  RefreshTokenIssued: { 1: sealedPersonalFields },
  RefreshTokenFamilyRevoked: { 1: sealedPersonalFields },
  UserConsentsRevoked: { 1: sealedPersonalFields },
  UserNotBeforeSet: { 1: sealedPersonalFields },
});
