import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, SsfStreamCommand, SsfStreamState } from '@ledger/domain';

/**
 * Any change to a Shared Signals stream (SSF section 8: configuration, status, subjects, verification): they share
 * one stream, one decider and one path, so one command carries whichever the edge built. The answer is the stream's
 * state after it.
 */
export class ManageSsfStreamCommand extends Command<SsfStreamState> {
  constructor(
    readonly command: SsfStreamCommand,
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
