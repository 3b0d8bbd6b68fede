export * from './ledger-views';
export * from './views-rebuilding.error';
export * from './sqlite/view-store';
export * from './projection-runner';
