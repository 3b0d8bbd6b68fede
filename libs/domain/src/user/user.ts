/**
 * User aggregate: what applies to every consent and token of one user at once. Stream: user-<userKey> (ids.ts).
 * The consents themselves stay on their pair streams; this stream only records the user-wide facts, and the token
 * view applies them at lookup (docs/design.md, "Bulk revocation").
 */
import type { Assert, SameMembers } from '../shared/event-types';

/**
 * Every consent of the user granted before it is revoked, with every token under them, whenever issued. The user's
 * n-th such revocation carries `revocation: n`; a consent records the number it was granted after
 * (ConsentGranted.afterUserRevocation), so that the consent, the token view and the fan-out that appends a
 * ConsentRevoked to each consent stream all tell "granted before" from "granted after" the same way, without
 * comparing clocks or positions across streams. `consentsEnded` counts the active consents it ended, for people.
 */
export interface UserConsentsRevoked {
  type: 'UserConsentsRevoked';
  data: { userId: string; revocation: number; consentsEnded: number; revokedAt: string; reason: string | null };
}

/** Every token of the user issued before this event (earlier in the log) is inactive; `notBefore` is for people. */
export interface UserNotBeforeSet {
  type: 'UserNotBeforeSet';
  data: { userId: string; notBefore: string; setAt: string; reason: string | null };
}

/**
 * The subject's key was destroyed (crypto-shredding, docs/privacy.md): every personal field sealed under `kid` is
 * unreadable from now on, this event's own `userId` included, which reads as erasedUserId(kid) once the key is gone.
 * Like a not-before, it ends every token of the user issued before it (earlier in the log). `kid` is random and names
 * no one.
 */
export interface SubjectErased {
  type: 'SubjectErased';
  /** `subject`: userKey(userId), the hash the user's stream is named by, so that any instance finds the rows to erase. */
  data: { userId: string; subject: string; kid: string; erasedAt: string };
}

export type UserEvent = UserConsentsRevoked | UserNotBeforeSet | SubjectErased;

/** Every user event type, once (the build checks it is the union). All end tokens: all are revocations. */
export const USER_EVENT_TYPES = ['UserConsentsRevoked', 'UserNotBeforeSet', 'SubjectErased'] as const;
type _UserEventTypes = Assert<SameMembers<(typeof USER_EVENT_TYPES)[number], UserEvent['type']>>;

export type UserState =
  | { status: 'none' }
  | {
      status: 'recorded';
      userId: string;
      /** How many user-wide revocations the user has had: the number the next one carries, less one. */
      revocations: number;
      revokedAt: string | null;
      notBefore: string | null;
      updatedAt: string;
      /** The last erasure: the key it destroyed. Absent: never erased. */
      erasure?: { kid: string; erasedAt: string };
    };

export const initialUserState = (): UserState => ({ status: 'none' });

const recorded = (state: UserState, userId: string) =>
  state.status === 'recorded' ? state : { status: 'recorded' as const, userId, revocations: 0, revokedAt: null, notBefore: null, updatedAt: '' };

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserConsentsRevoked': {
      const d = event.data;
      return { ...recorded(state, d.userId), revocations: d.revocation, revokedAt: d.revokedAt, updatedAt: d.revokedAt };
    }
    case 'UserNotBeforeSet': {
      const d = event.data;
      return { ...recorded(state, d.userId), notBefore: d.notBefore, updatedAt: d.setAt };
    }
    case 'SubjectErased': {
      const d = event.data;
      return { ...recorded(state, d.userId), erasure: { kid: d.kid, erasedAt: d.erasedAt }, updatedAt: d.erasedAt };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** The user-wide revocations so far: what a consent granted now is granted after. */
export const userRevocationsOf = (state: UserState): number => (state.status === 'recorded' ? state.revocations : 0);
