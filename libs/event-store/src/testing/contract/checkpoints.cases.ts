import { ContractFixture, EventStoreUnderTest } from './contract-fixture';

/** Named checkpoints, when the adapter keeps them itself. */
export function checkpointCases(fixture: ContractFixture): void {
  describe('checkpoints', () => {
    let sut: EventStoreUnderTest;
    let prefix: string;
    beforeEach(() => ({ sut, prefix } = fixture));

    it('stores and reloads a named checkpoint', async () => {
      if (!sut.checkpoints) return;
      const name = `${prefix}-cp`;
      expect(await sut.checkpoints.load(name)).toBeUndefined();
      await sut.checkpoints.save(name, 41);
      await sut.checkpoints.save(name, 42);
      expect(await sut.checkpoints.load(name)).toBe(42);
    });
  });
}
