import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { ChainedEventStore, SealedEventStore, STORED_EVENT_STORE, SUBJECT_KEYS, SubjectKeys } from '@ledger/audit';
import { CommandExecutor, ledgerEvents, PositionScope, READ_YOUR_WRITES, ReadYourWrites } from '@ledger/commands';
import { CHECKPOINT_STORE, DataDirLock, EVENT_STORE, EventStore, EventStorePorts, openEventStore } from '@ledger/event-store';
import { CLIENT_VIEW, CONSENT_VIEW, ProjectionRunner, RebuildListener, TOKEN_VIEW, USER_VIEW, ViewStore } from '@ledger/projections';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { CursorSigner } from './cursor-signer';
import { claimDataDirectory } from './data-directory';
import { Leadership } from './leadership';
import { NodeState } from './node-state';
import { loadSubjectKek, parseSubjectKek, SqliteSubjectKeys } from './subject-key-store';
import { loadOrCreateKeyFile, TokenKey } from './token-key';
import { TokenMinter } from './token-minter';

/** The store is chosen by configuration in openEventStore; nothing outside this module sees which adapter runs. */
const STORE_PORTS = Symbol('STORE_PORTS');

/** LEDGER_TOKEN_KEY, or the key file in the secrets directory (never the data directory). Says where, never what. */
function resolveTokenKey(config: LedgerConfig): TokenKey {
  const logger = new Logger('TokenKey');
  if (config.tokenKey) return config.tokenKey;
  const { key, created, looseMode } = loadOrCreateKeyFile(config.secretsDir);
  logger.log(`token key ${created ? 'generated into' : 'read from'} ${key.source}`);
  if (looseMode) logger.warn(`${key.source} or its directory can be read by other users; make them 0600 and 0700`);
  if (config.eventStoreConnectionString) {
    logger.warn('on EventStoreDB without LEDGER_TOKEN_KEY: every instance must share one key, or retries landing on another instance are refused');
  }
  return key;
}

@Global()
@Module({
  providers: [
    // Every provider that opens a file in the data directory injects the lock, so none opens before it is held.
    { provide: DataDirLock, inject: [LEDGER_CONFIG], useFactory: (c: LedgerConfig) => claimDataDirectory(c.dataDir) },
    { provide: STORE_PORTS, inject: [LEDGER_CONFIG, DataDirLock], useFactory: (c: LedgerConfig) => openEventStore(c) },
    {
      provide: SUBJECT_KEYS,
      inject: [LEDGER_CONFIG],
      useFactory: (c: LedgerConfig) => {
        const logger = new Logger('SubjectKeys');
        const { kek, source } = loadSubjectKek(c.secretsDir, c.subjectKek);
        logger.log(`subject keys in ${c.subjectKeysDir}, wrapped by the key from ${source}`);
        if (c.eventStoreConnectionString && !c.subjectKek) {
          logger.warn('on EventStoreDB without LEDGER_SUBJECT_KEK: every instance must share one key and one LEDGER_SUBJECT_KEYS_DIR, or they cannot read each other\'s events');
        }
        const previous = c.subjectKekPrevious?.trim() ? parseSubjectKek(c.subjectKekPrevious, 'LEDGER_SUBJECT_KEK_PREVIOUS').kek : undefined;
        const keys = new SqliteSubjectKeys(c.subjectKeysDir, kek, previous);
        if (previous) logger.log(`subject keys re-wrapped by the current KEK: ${keys.rewrapped}; the previous KEK can go once every copy has started`);
        return keys;
      },
    },
    { provide: STORED_EVENT_STORE, inject: [STORE_PORTS], useFactory: (ports: EventStorePorts) => ports.store },
    // Everything else reads the log with its personal fields opened (docs/privacy.md).
    { provide: EVENT_STORE, inject: [STORE_PORTS, SUBJECT_KEYS], useFactory: (ports: EventStorePorts, keys: SubjectKeys) => new SealedEventStore(ports.store, keys) },
    { provide: CHECKPOINT_STORE, inject: [STORE_PORTS], useFactory: (ports: EventStorePorts) => ports.checkpoints },
    { provide: NodeState, inject: [LEDGER_CONFIG, DataDirLock], useFactory: (c: LedgerConfig) => new NodeState(c.dataDir, c.idempotencyTtlSeconds * 1000) },
    { provide: TokenKey, inject: [LEDGER_CONFIG], useFactory: resolveTokenKey },
    {
      provide: ViewStore,
      inject: [LEDGER_CONFIG, DataDirLock],
      // Views of an EventStoreDB-backed instance are local to the instance, like its subscription.
      useFactory: (c: LedgerConfig) => new ViewStore(join(c.dataDir, c.eventStoreConnectionString ? 'views-esdb.db' : 'views.db'), undefined, c.knownEvents),
    },
    // Readers get the ports; only the projection and this module's shutdown see the SQLite ViewStore.
    { provide: TOKEN_VIEW, inject: [ViewStore], useFactory: (views: ViewStore) => views.tokens },
    { provide: CONSENT_VIEW, inject: [ViewStore], useFactory: (views: ViewStore) => views.consents },
    { provide: CLIENT_VIEW, inject: [ViewStore], useFactory: (views: ViewStore) => views.clients },
    { provide: USER_VIEW, inject: [ViewStore], useFactory: (views: ViewStore) => views.users },
    {
      provide: ProjectionRunner,
      inject: [EVENT_STORE, ViewStore, LedgerMetrics, LEDGER_CONFIG],
      useFactory: (store: EventStore, views: ViewStore, metrics: LedgerMetrics, c: LedgerConfig) => {
        const logger = new Logger('Projection');
        if (c.unknownEventTypesForTests.length > 0) logger.warn({ msg: 'test configuration: this instance plays a build that does not know these event types', types: c.unknownEventTypesForTests });
        return new ProjectionRunner(store, views, {
          onError: (error, attempt) => {
            metrics.eventStoreError('subscription');
            logger.error({ msg: 'projection subscription failed; restarting from checkpoint', error: error.message, attempt });
          },
          rebuild: rebuildLog(logger),
          onUnreadableAtStart: (error) => {
            // Stop, never serve views that end before an event of the log (test/golden-corrupted.e2e-spec.ts).
            logger.fatal({ msg: 'cannot start: the log holds an event this build cannot read', error: error.message });
            process.stderr.write(`consent ledger cannot start: ${error.message}\n`);
            process.exit(EXIT_UNREADABLE_EVENT);
          },
        });
      },
    },
    { provide: READ_YOUR_WRITES, useExisting: ProjectionRunner },
    // Outcome positions per request, for the consistency token (http/consistency.hook.ts).
    { provide: PositionScope, useValue: new PositionScope() },
    {
      provide: CommandExecutor,
      inject: [STORED_EVENT_STORE, SUBJECT_KEYS, READ_YOUR_WRITES, PositionScope, LEDGER_CONFIG],
      // Every command's append is sealed, then chained (docs/audit.md, docs/privacy.md): the chain covers what is stored.
      useFactory: (store: EventStore, keys: SubjectKeys, views: ReadYourWrites, positions: PositionScope, c: LedgerConfig) =>
        new CommandExecutor(new SealedEventStore(new ChainedEventStore(store), keys), views, { positions, events: ledgerEvents(c.knownEvents) }),
    },
    TokenMinter,
    CursorSigner,
    Leadership,
  ],
  exports: [DataDirLock, EVENT_STORE, STORED_EVENT_STORE, SUBJECT_KEYS, CHECKPOINT_STORE, NodeState, TOKEN_VIEW, CONSENT_VIEW, CLIENT_VIEW, USER_VIEW, ProjectionRunner, READ_YOUR_WRITES, PositionScope, CommandExecutor, TokenMinter, CursorSigner, Leadership],
})
export class LedgerInfrastructureModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionRunner,
    private readonly views: ViewStore,
    private readonly nodeState: NodeState,
    private readonly lock: DataDirLock,
    @Inject(SUBJECT_KEYS) private readonly subjectKeys: SqliteSubjectKeys,
  ) {}

  onModuleInit(): void {
    this.projection.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projection.stop();
    await this.store.close();
    await this.views.close();
    this.nodeState.close();
    this.subjectKeys.close();
    // Last: the next holder may open the files as soon as this returns.
    this.lock.release();
  }
}

/** Exit code of a start that met an event this build cannot read (README, "Exit codes"). */
const EXIT_UNREADABLE_EVENT = 5;

/** The log lines of a rebuild from position 0: why it runs, each batch's progress, and the end. */
function rebuildLog(logger: Logger): RebuildListener {
  return {
    started: (reason) => logger.log({ msg: 'rebuilding the views from the log', reason }),
    progress: ({ applied, position, head }) => {
      // Of the head at the start: on EventStoreDB positions are byte offsets, so this is a share of the log's bytes.
      const percent = head === undefined || head < 0 ? undefined : Math.min(100, Math.floor(((position + 1) / (head + 1)) * 100));
      logger.log({ msg: 'rebuilding the views', applied, position, head, percent });
    },
    finished: ({ applied, ms }) => logger.log({ msg: 'views rebuilt from the log', applied, ms }),
  };
}
