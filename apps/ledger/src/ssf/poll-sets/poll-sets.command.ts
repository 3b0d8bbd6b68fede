import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';

/** RFC 8936 section 2.4: what a poll acknowledges, reports and asks for. */
export interface PollSets {
  streamId: string;
  receiver: string;
  /** Absent: the transmitter's batch (DEFAULT_MAX_EVENTS); 0: acknowledge only. */
  maxEvents?: number;
  returnImmediately: boolean;
  ack: string[];
  /** setErrs as a list: a jti is a key the receiver chose, and a map keyed by it could be handed `__proto__`. */
  setErrs: Array<{ jti: string; err: string; description: string }>;
}

/** RFC 8936 section 2.5: SETs by jti, and whether more are waiting. */
export interface PollResult {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

export class PollSetsCommand extends Command<PollResult> {
  constructor(
    readonly data: PollSets,
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
