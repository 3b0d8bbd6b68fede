/**
 * Each aggregate lists its event types once, `as const`, next to its event union; subscriptions filter on those
 * lists. Written beside each list, `Assert<SameMembers<(typeof LIST)[number], Event['type']>>` fails the build when
 * the list and the union drift apart: a type missing from the list, or one the union does not have.
 */
export type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type Assert<T extends true> = T;

// The check can fail: without @ts-expect-error, neither line compiles.
// @ts-expect-error a list that misses a type of the union
type _MissesOne = Assert<SameMembers<'A', 'A' | 'B'>>;
// @ts-expect-error a list with a type the union does not have
type _OneTooMany = Assert<SameMembers<'A' | 'B' | 'C', 'A' | 'B'>>;
