import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';
import type { ErasureResult } from './erase-subject.result';

export class EraseSubjectCommand extends Command<ErasureResult> {
  constructor(
    readonly userId: string,
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
