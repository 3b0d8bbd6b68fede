import { randomUUID } from 'node:crypto';
import { CheckpointStore, EventStore, EventToAppend } from '../../event-store.port';

export interface EventStoreUnderTest {
  store: EventStore;
  /** Checkpoints kept by the same store, when the adapter offers them. */
  checkpoints?: CheckpointStore;
  cleanup(): Promise<void>;
}

/**
 * What every contract case runs against, filled in afresh before each case by testEventStore. The case files bind
 * its fields in a beforeEach of their own, so a case reads `store` and `prefix` as if it were declared beside it.
 */
export interface ContractFixture {
  sut: EventStoreUnderTest;
  store: EventStore;
  /** Unique per case, so the suite also runs against a shared, non-empty store. */
  prefix: string;
}

export const ev = (type: string, n = 0, id?: string): EventToAppend => ({
  id: id ?? randomUUID(),
  type,
  data: { n, nested: { list: [1, 'two'], flag: true } },
  metadata: { actor: 'contract', correlationId: `corr-${n}`, causationId: `cause-${n}`, initiator: 'user' },
});

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export { waitUntil } from '@ledger/testing';
