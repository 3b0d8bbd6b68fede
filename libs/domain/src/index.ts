export * from './shared';
export * from './client';
export * from './consent';
export * from './user';
export * from './ledger';
export * from './upcasting';
