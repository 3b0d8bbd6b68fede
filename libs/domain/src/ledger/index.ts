export * from './ledger-wide';
export * from './set-ledger-not-before';
export * from './ledger-wide.decider';
