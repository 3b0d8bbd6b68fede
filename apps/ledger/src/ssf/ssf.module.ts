import { Logger, Module } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { SetSigner } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { loadOrCreateSigningKey } from '../infrastructure/ssf-signing-key';
import { ManageSsfStreamController } from './manage-ssf-stream/manage-ssf-stream.controller';
import { ManageSsfStreamHandler } from './manage-ssf-stream/manage-ssf-stream.handler';
import { PollSetsController } from './poll-sets/poll-sets.controller';
import { PollSetsHandler } from './poll-sets/poll-sets.handler';
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

/** OpenID Shared Signals transmitter: metadata, stream management and RFC 8936 poll delivery (docs/ssf.md). */
@Module({
  controllers: [TransmitterMetadataController, ManageSsfStreamController, StreamStatusController, StreamSubjectsController, VerifyStreamController, PollSetsController],
  providers: [
    { provide: SetSigner, inject: [LEDGER_CONFIG], useFactory: signer },
    { provide: SsfExecutor, inject: [EVENT_STORE], useFactory: (store: EventStore) => new SsfExecutor(store) },
    SsfReceivers, SsfStreams, ManageSsfStreamHandler, PollSetsHandler],
})
export class SsfModule {}
