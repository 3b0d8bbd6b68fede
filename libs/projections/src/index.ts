export * from './ledger-views';
export * from './token-view.port';
export * from './consent-view.port';
export * from './client-view.port';
export * from './views.di-tokens';
export * from './views-rebuilding.error';
export * from './sqlite/view-store';
export * from './projection-runner';
