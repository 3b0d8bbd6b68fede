export * from './ledger-views';
export * from './view-store';
export * from './projection-runner';
