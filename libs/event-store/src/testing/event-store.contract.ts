import { randomUUID } from 'node:crypto';
import { appendCases } from './contract/append.cases';
import { checkpointCases } from './contract/checkpoints.cases';
import { ContractFixture, EventStoreUnderTest } from './contract/contract-fixture';
import { lagCases } from './contract/lag.cases';
import { readCases } from './contract/read.cases';
import { subscribeCases } from './contract/subscribe.cases';

export type { EventStoreUnderTest } from './contract/contract-fixture';
export { collect, waitUntil } from './contract/contract-fixture';

/**
 * The contract every adapter of the event-store port must honour. It is written against the port alone, so the
 * embedded SQLite adapter, the EventStoreDB adapter on the wire-level test server and a real EventStoreDB all run it
 * unchanged. Streams get a unique prefix per test, so the suite also runs against a shared, non-empty store.
 * The cases live in contract/, one file per group.
 */
export function testEventStore(name: string, factory: () => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${name}`, () => {
    const fixture = {} as ContractFixture;

    beforeEach(async () => {
      fixture.sut = await factory();
      fixture.store = fixture.sut.store;
      fixture.prefix = `ct${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    });
    afterEach(async () => {
      await fixture.sut.cleanup();
    });

    appendCases(fixture);
    readCases(fixture);
    subscribeCases(fixture);
    lagCases(fixture);
    checkpointCases(fixture);
  });
}
