import { Module } from '@nestjs/common';
import { RevocationStreams } from './revocation-streams';
import { StreamRevocationsController } from './stream-revocations/stream-revocations.controller';

/**
 * Revocations as Server-Sent Events (GET /v1/revocations/stream): HTTP only, on the event store alone. It runs with
 * or without Kafka, and nothing here touches the broker, the checkpoints or the lease.
 */
@Module({
  controllers: [StreamRevocationsController],
  providers: [RevocationStreams],
})
export class RevocationFeedModule {}
