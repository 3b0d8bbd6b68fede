import { DeciderSpecification, secondsAfter } from '../testing/decider-spec';
import { LedgerNotBeforeSet } from './ledger-wide';
import { ledgerWideDecider } from './ledger-wide.decider';

const at = (seconds: number) => secondsAfter(seconds).toISOString();
const set = (notBefore?: string) => ({ type: 'SetLedgerNotBefore' as const, data: notBefore ? { notBefore } : {} });
const notBeforeSet = (notBefore: string, setAt = at(0), reason: string | null = null): LedgerNotBeforeSet => ({ type: 'LedgerNotBeforeSet', data: { notBefore, setAt, reason } });

describe('SetLedgerNotBefore', () => {
  const spec = DeciderSpecification.for(ledgerWideDecider);

  it('is ONE LedgerNotBeforeSet for the whole ledger, with the reason', () => {
    spec.given([]).when(set(at(-3600)), { reason: 'signing key rotated' }).then([notBeforeSet(at(-3600), at(0), 'signing key rotated')]);
    spec.given([]).when(set()).then([notBeforeSet(at(0))]);
  });

  it('refuses a time in the future', () => {
    spec.given([]).when(set(at(1))).thenThrows('not_before_in_future', 'validation');
  });

  it('raises; never lowers', () => {
    spec.given([notBeforeSet(at(-600), at(-600))]).when(set(at(-60))).then([notBeforeSet(at(-60))]);
    spec.given([notBeforeSet(at(-600), at(-600))]).when(set(at(-600))).thenNothing();
    spec.given([notBeforeSet(at(-600), at(-600))]).when(set(at(-601))).thenNothing();
  });
});
