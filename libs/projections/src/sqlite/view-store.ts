import { EVENT_VERSIONS } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import { viewChanges } from '../ledger-views';
import { readLedgerEvent, UnreadableEventError } from '../read-ledger-event';
import { SqliteClientView } from './client-view';
import { SqliteConsentView } from './consent-view';
import { TokenRebuildStaging } from './token-rebuild-staging';
import { SubjectErasure } from './subject-erasure';
import { SqliteUserView } from './user-view';
import { SqliteTokenView, TokenChange } from './token-view';
import { ViewDatabase } from './view-database';

/**
 * A rebuild stages only when the history is long: a catch-up batch this large. A short history (a fresh install, a
 * test) is applied row by row as live events are, so its token lookups never wait for a rebuild to finish.
 */
const STAGE_FROM_BATCH = 5_000;

/**
 * The views of one ledger instance, in their own SQLite file, and the projection's way of writing them. Views and
 * their checkpoint change in the same transaction, so a restart resumes exactly where the last applied batch ended:
 * never a step lost or applied twice. Deleting the file rebuilds everything from position 0.
 *
 * Readers go through `tokens`, `consents`, `clients` and `users` (the TokenView, ConsentView, ClientView and UserView ports), never
 * through this class.
 */
export class ViewStore {
  readonly tokens: SqliteTokenView;
  readonly consents: SqliteConsentView;
  readonly clients: SqliteClientView;
  readonly users: SqliteUserView;
  private readonly database: ViewDatabase;
  private readonly erasure: SubjectErasure;
  /** Set by a batch that erased a subject: its write-ahead log is truncated once it commits. */
  private erasedInBatch = false;
  private readonly applyBatch: (events: StoredEvent[]) => void;
  /** True between startRebuild() and finishRebuild(). */
  private rebuildingFromZero = false;
  /** Set once a rebuild from 0 met a large batch (STAGE_FROM_BATCH): token changes go there, not to the tree. */
  private staging?: TokenRebuildStaging;

  /** The event this build could not read, once met: the views stop before it (readLedgerEvent). */
  private unreadable?: UnreadableEventError;

  constructor(
    readonly file: string,
    /** Batch size from which a rebuild from 0 stages the token view; tests lower it to reach both paths. */
    private readonly stageFromBatch = STAGE_FROM_BATCH,
    /** The event types and versions this build reads: EVENT_VERSIONS, or less in a test (knownEventVersions). */
    private readonly knownEvents: Readonly<Record<string, number>> = EVENT_VERSIONS,
  ) {
    this.database = new ViewDatabase(file);
    const db = this.database.connection;
    // First: the token view's lookups read the clients, consents and users tables.
    this.clients = new SqliteClientView(db, () => this.rebuildingFromZero);
    this.consents = new SqliteConsentView(db);
    this.users = new SqliteUserView(db);
    this.tokens = new SqliteTokenView(db);
    this.erasure = new SubjectErasure(db);
    this.applyBatch = db.transaction((events: StoredEvent[]) => {
      if (this.rebuildingFromZero && !this.staging && events.length >= this.stageFromBatch) this.beginStaging();
      if (this.staging) {
        for (const e of events) this.applyOne(e, undefined);
      } else {
        const tokenChanges: TokenChange[] = [];
        for (const e of events) this.applyOne(e, tokenChanges);
        this.tokens.write(tokenChanges);
      }
      this.database.saveCheckpoint(events[events.length - 1].position);
    });
  }

  /**
   * Before a rebuild from position 0. Until the rebuild has caught up, token changes are staged in log order
   * (TokenRebuildStaging) and finishRebuild() folds them into the tree in one pass sorted by hash. The secondary
   * indexes are dropped too and created once at the end, and the file runs without a journal meanwhile
   * (ViewDatabase.unjournaled). Staging starts with the first large batch (STAGE_FROM_BATCH), so a short history is
   * applied as live events are. The consent view stays queryable during the rebuild; while tokens are staged, token
   * lookups throw ViewsRebuildingError, and the service is not ready until it is done.
   */
  startRebuild(): boolean {
    if (this.checkpoint() !== undefined) return false;
    this.tokens.dropIndexes();
    this.consents.dropIndexes();
    TokenRebuildStaging.attach(this.database.connection, this.file);
    this.rebuildingFromZero = true;
    this.database.unjournaled();
    return true;
  }

  /** Runs inside the first large batch's transaction. Tokens applied row by row before it stay where they are. */
  private beginStaging(): void {
    this.staging = new TokenRebuildStaging(this.database.connection);
    this.tokens.markStaged(true);
  }

  /**
   * Folds the staged token changes into the token tree, re-creates what startRebuild() dropped, returns to WAL, and
   * marks the file complete. Idempotent.
   */
  finishRebuild(): void {
    if (this.staging) {
      this.staging.fold();
      this.staging = undefined;
      this.tokens.markStaged(false);
    }
    TokenRebuildStaging.detach(this.database.connection, this.file);
    this.rebuildingFromZero = false;
    this.tokens.createIndexes();
    this.consents.createIndexes();
    this.database.journaled();
  }

  /** Position of the last event applied, or undefined when the views are empty. */
  checkpoint(): number | undefined {
    return this.database.checkpoint();
  }

  /**
   * Applies a batch of stored events and advances the checkpoint, atomically. A batch holding an event this build
   * cannot read is rolled back whole and throws UnreadableEventError, now and on every later call: the views stay
   * before it, and the token and secret lookups refuse to answer (fail closed) until an upgraded build restarts.
   */
  apply(events: StoredEvent[]): void {
    if (this.unreadable) throw this.unreadable;
    if (events.length === 0) return;
    try {
      this.applyBatch(events);
      if (this.erasedInBatch) {
        this.erasedInBatch = false;
        this.erasure.scrubLog();
      }
    } catch (error) {
      if (error instanceof UnreadableEventError) {
        this.unreadable = error;
        this.tokens.markUnreadable(error);
        this.clients.markUnreadable(error);
      }
      throw error;
    }
  }

  /** Why the views start empty, when they do (ViewDatabase.startedOver), for the log. */
  get rebuildReason(): string {
    return this.database.startedOver ?? 'the views are empty';
  }

  /** The event the views could not read, if they met one. */
  get unreadableEvent(): UnreadableEventError | undefined {
    return this.unreadable;
  }

  /** `tokenChanges` collects the token changes of a live batch; undefined while staging a rebuild. */
  private applyOne(event: StoredEvent, tokenChanges: TokenChange[] | undefined): void {
    const ledgerEvent = readLedgerEvent(event, this.knownEvents);
    if (!ledgerEvent) return;
    for (const change of viewChanges(ledgerEvent, event.revision, event.position)) {
      switch (change.kind) {
        case 'client':
          this.clients.upsert(change.row);
          break;
        case 'clientUpdate':
          this.clients.update(change);
          break;
        case 'clientSecret':
          this.clients.addSecret(change.row);
          break;
        case 'clientSecretsEnd':
          this.clients.endSecrets(change);
          break;
        case 'clientSecretRevoked':
          this.clients.revokeSecret(change);
          break;
        case 'clientCut':
          // Like a consent's cut: one row, written at once even while a rebuild stages.
          this.tokens.clientCut(change.clientId, change.scopes, change.position);
          break;
        case 'consent':
          this.consents.upsert(change.row);
          break;
        case 'consentUpdate':
          this.consents.update(change);
          break;
        case 'dependentConsent':
          this.consents.dependents.upsert(change.row);
          break;
        case 'dependentConsentRevoked':
          this.consents.dependents.revoke(change);
          break;
        case 'tokenIssued':
          if (tokenChanges) tokenChanges.push({ hash: change.row.tokenHash, row: change.row });
          else this.staging!.issue(event.position, change.row);
          break;
        case 'familyCut':
          this.tokens.familyCut(change.familyId, change.position);
          break;
        case 'tokensCut':
          // One row, written at once even while a rebuild stages: lookups wait for the fold anyway.
          this.tokens.cut(change.consentId, change.scopes, change.position);
          break;
        case 'tokensEnded':
          for (const hash of change.tokenHashes) {
            if (tokenChanges) tokenChanges.push({ hash });
            else this.staging!.end(event.position, hash);
          }
          break;
        case 'userRevoked':
          this.users.revoked(change.userId, change.revocation, change.revokedAt, change.position);
          break;
        case 'userNotBefore':
          this.users.notBefore(change.userId, change.notBefore, change.position);
          break;
        case 'subjectErased':
          // The batch's token rows first, so that a token issued earlier in this batch is renamed too.
          if (tokenChanges) this.tokens.write(tokenChanges.splice(0));
          this.erasure.rename(change.subject, change.pseudonym, this.staging !== undefined);
          this.erasedInBatch = true;
          break;
        case 'ledgerNotBefore':
          this.tokens.ledgerCut(change.notBefore, change.position);
          break;
        default: {
          const _exhaustive: never = change;
        }
      }
    }
  }

  /** Every row of every view, in a stable order: lets tests prove that a rebuild equals the live views. */
  snapshot(): Record<string, unknown[]> {
    return {
      clients: this.clients.snapshot(),
      clientSecrets: this.clients.secretsSnapshot(),
      consents: this.consents.snapshot(),
      users: this.users.snapshot(),
      tokens: this.tokens.snapshot(),
    };
  }

  async close(): Promise<void> {
    await this.database.close();
  }

  /** Drops the views so that the next start rebuilds them from position 0. */
  static destroy(file: string): void {
    ViewDatabase.destroy(file);
  }
}
