import { CommandExecutor, ReadYourWrites } from '@ledger/commands';
import { CommandMetadata, consentDecider, ConsentGranted, parseConsentId, readLedgerEvent, UserConsentsRevoked, userStream } from '@ledger/domain';
import { CheckpointedRelay, namedCheckpoint } from '@ledger/event-store';
import type { CheckpointStore, EventStore, RelaySink, StoredEvent } from '@ledger/event-store';
import type { ConsentView, UserView } from '@ledger/projections';

/** Its checkpoint in the CheckpointStore; a new name would run every user-wide revocation's fan-out again (harmless). */
export const USER_REVOCATION_FAN_OUT_CHECKPOINT = 'user-revocations-fan-out-v1';

/**
 * Every event of a user's stream (a user-wide revocation, and any type a later build adds there), and every grant (one
 * decided on the user's state before a revocation can be appended after it). Prefixes: 'ConsentGranted' matches
 * nothing else; 'User' is every type of the user's stream.
 */
const FILTER = { eventTypePrefixes: ['User', 'ConsentGranted'] };

export interface UserRevocationFanOutOptions {
  /** Every failure; the fan-out starts again from its checkpoint after a backoff. */
  onError?(error: Error, consecutiveFailures: number): void;
  /**
   * Tests only (LEDGER_FAULT_AFTER_FANOUT): SIGKILL this process right after this many consent revocations were
   * appended, before the checkpoint can pass them, to prove that a fan-out cut short completes exactly once.
   */
  faultAfter?: number;
  /** The event types (and versions) this build reads: EVENT_VERSIONS; a test passes less (LEDGER_TEST_UNKNOWN_EVENT_TYPES). */
  knownEvents?: Readonly<Record<string, number>>;
}

/**
 * The process manager of RevokeUserConsents: reads the log and appends, to each consent stream of the user, the
 * ConsentRevoked that makes the consent views and history say what the token view has said since the user-wide
 * event was acknowledged. It never decides what introspection answers; it makes the consents' own records agree.
 *
 * Driven by a CheckpointedRelay (never the in-process EventBus): at-least-once, restarted from its checkpoint after a
 * failure or a crash. Each append is a RevokeConsent with the user revocation's number, which the consent decider
 * makes idempotent per consent (a consent already revoked, or granted after that revocation, appends nothing), so a
 * fan-out delivered twice appends each ConsentRevoked once. The checkpoint moves only once a whole batch is done.
 *
 * Which consents: those active in the consent view once the views have reached the revocation (so every consent
 * granted before it is there), granted after fewer user-wide revocations. A grant appended after the revocation but
 * decided on the user's earlier state is caught when the relay reaches that grant: its afterUserRevocation is behind
 * the user's count in the user view.
 */
export class UserRevocationFanOut implements RelaySink {
  private readonly relay: CheckpointedRelay;
  private appended = 0;

  constructor(
    private readonly store: EventStore,
    checkpoints: CheckpointStore,
    private readonly executor: CommandExecutor,
    private readonly views: ReadYourWrites,
    private readonly consents: ConsentView,
    private readonly users: UserView,
    private readonly options: UserRevocationFanOutOptions = {},
  ) {
    this.relay = new CheckpointedRelay(store, namedCheckpoint(checkpoints, USER_REVOCATION_FAN_OUT_CHECKPOINT), this, {
      filter: FILTER,
      maxBatchSize: 100,
      checkpointIntervalMs: 250,
      restart: { maxMs: 5000, jitter: true },
      stopTimeoutMs: 5000,
      onError: options.onError,
    });
  }

  start(): void {
    this.relay.start();
  }

  async stop(): Promise<void> {
    await this.relay.stop();
  }

  /** Resolves once everything handed over so far is done (tests). */
  flush(): Promise<boolean> {
    return this.relay.flush();
  }

  async deliver(batch: StoredEvent[]): Promise<void> {
    for (const event of batch) {
      // A type this build cannot read (a newer build's kind of user-wide revocation, say) fails the batch: skipped,
      // its fan-out would never be done, not even by the upgraded build, which resumes after the checkpoint.
      readLedgerEvent(event, this.options.knownEvents);
      // The views must hold the event's position: every consent granted before it, and the user's count at it.
      await this.views.waitFor(event.position);
      if (event.type === 'UserConsentsRevoked') await this.fanOut(event, event.data as unknown as UserConsentsRevoked['data']);
      else if (event.type === 'ConsentGranted') await this.lateGrant(event, event.data as unknown as ConsentGranted['data']);
    }
  }

  private async fanOut(cause: StoredEvent, { userId, revocation }: UserConsentsRevoked['data']): Promise<void> {
    // One consent at a time: a user has tens of consents, not millions, and introspection waits for none of this.
    for (const consent of this.consents.consentsByUser(userId, 'active')) {
      if (consent.afterUserRevocation < revocation) await this.revoke(consent.consentId, revocation, cause);
    }
  }

  /**
   * A grant that the user's last revocation outnumbers, and that came after it in the log, was decided on the user's
   * state from before it: no fan-out listed it. (One that came before it is that revocation's fan-out's to revoke;
   * the views may be ahead of this relay, so "after" is judged by position, not by the count alone.) The revocation,
   * read from the user's stream, is the cause: its caller is the one who revoked.
   */
  private async lateGrant(grant: StoredEvent, data: ConsentGranted['data']): Promise<void> {
    const user = this.users.user(data.userId);
    if (!user || user.revocations <= (data.afterUserRevocation ?? 0) || (user.revokedPosition ?? -1) > grant.position) return;
    const cause = (await this.store.readStream(userStream(data.userId))).reverse().find((e) => e.type === 'UserConsentsRevoked' && e.position < grant.position);
    if (!cause) throw new Error(`No user-wide revocation of the user before position ${grant.position}, though the user view counts ${user.revocations}`);
    await this.revoke(data.consentId, (cause.data as unknown as UserConsentsRevoked['data']).revocation, cause);
  }

  private async revoke(consentId: string, userRevocation: number, cause: StoredEvent): Promise<void> {
    const consent = parseConsentId(consentId);
    if (!consent) throw new Error(`The consent view holds a malformed consent id: ${consentId}`);
    const { events } = await this.executor.execute(consent.stream, consentDecider, { type: 'RevokeConsent', data: { consent, userRevocation } }, metaOf(cause), {
      priority: 'revocation',
    });
    if (events.length > 0 && this.options.faultAfter !== undefined && ++this.appended >= this.options.faultAfter) {
      process.kill(process.pid, 'SIGKILL');
    }
  }
}

/**
 * Who and why, from the event this follows from: the revocation's caller stays the actor, its request the
 * correlation (and the caller's own request id, clientRequestId); the cause is the event. The time is now, when the consent's revocation is recorded (the audit's
 * recorded-at check holds each event to its own decision time).
 */
function metaOf(cause: StoredEvent): CommandMetadata {
  const m = cause.metadata;
  return {
    now: new Date(),
    actor: m.actor,
    correlationId: m.correlationId,
    causationId: cause.id,
    ...(m.clientRequestId !== undefined ? { clientRequestId: m.clientRequestId } : {}),
    initiator: m.initiator ?? 'system',
    ...(m.initiatorAsserted ? { initiatorAsserted: true } : {}),
    ...(m.reason ? { reason: m.reason } : {}),
  };
}
