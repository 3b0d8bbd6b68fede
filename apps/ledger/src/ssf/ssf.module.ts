import { Logger, Module } from '@nestjs/common';
import { STORED_EVENT_STORE, SUBJECT_KEYS, SubjectKeys } from '@ledger/audit';
import { EventStore } from '@ledger/event-store';
import { SetSigner } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { HeaderSealer, loadOrCreateHeaderKey } from '../infrastructure/ssf-header-key';
import { loadOrCreateSigningKey } from '../infrastructure/ssf-signing-key';
import { ManageSsfStreamController } from './manage-ssf-stream/manage-ssf-stream.controller';
import { ManageSsfStreamHandler } from './manage-ssf-stream/manage-ssf-stream.handler';
import { PollSetsController } from './poll-sets/poll-sets.controller';
import { PollSetsHandler } from './poll-sets/poll-sets.handler';
import { PushSetsWorker } from './push-sets/push-sets.worker';
import { SsfSetQueue } from './set-queue';
import { SsfExecutor } from './ssf-executor';
import { SsfReceivers } from './ssf-receivers';
import { SsfStreams } from './ssf-streams';
import { StreamStatusController } from './stream-status/stream-status.controller';
import { StreamSubjectsController } from './stream-subjects/stream-subjects.controller';
import { TransmitterMetadataController } from './transmitter-metadata/transmitter-metadata.controller';
import { VerifyStreamController } from './verify-stream/verify-stream.controller';

/** The signing key from the secrets directory. Says where, never what. */
function signer(config: LedgerConfig): SetSigner {
  const logger = new Logger('SsfSigningKey');
  const { signer, file, created, looseMode } = loadOrCreateSigningKey(config.secretsDir);
  logger.log(`SET signing key ${signer.jwk.kid} ${created ? 'generated into' : 'read from'} ${file}`);
  for (const key of signer.jwks.keys.slice(1)) logger.log(`SET key ${key.kid} still published (rotated; signs nothing)`);
  if (looseMode) logger.warn(`${file} or its directory can be read by other users; make them 0600 and 0700`);
  return signer;
}

/** The key push streams' authorization headers are sealed with. Says where, never what. */
function sealer(config: LedgerConfig): HeaderSealer {
  const logger = new Logger('SsfHeaderKey');
  const { sealer, file, created, looseMode } = loadOrCreateHeaderKey(config.secretsDir);
  logger.log(`push authorization header key ${created ? 'generated into' : 'read from'} ${file}`);
  if (looseMode) logger.warn(`${file} or its directory can be read by other users; make them 0600 and 0700`);
  return sealer;
}

/** OpenID Shared Signals transmitter: metadata, stream management, RFC 8936 poll and RFC 8935 push (docs/ssf.md). */
@Module({
  controllers: [TransmitterMetadataController, ManageSsfStreamController, StreamStatusController, StreamSubjectsController, VerifyStreamController, PollSetsController],
  providers: [
    { provide: SetSigner, inject: [LEDGER_CONFIG], useFactory: signer },
    { provide: HeaderSealer, inject: [LEDGER_CONFIG], useFactory: sealer },
    { provide: SsfExecutor, inject: [STORED_EVENT_STORE, SUBJECT_KEYS], useFactory: (stored: EventStore, keys: SubjectKeys) => new SsfExecutor(stored, keys) },
    SsfReceivers, SsfStreams, SsfSetQueue, ManageSsfStreamHandler, PollSetsHandler, PushSetsWorker],
})
export class SsfModule {}
