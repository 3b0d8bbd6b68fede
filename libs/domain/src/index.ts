export * from './shared';
export * from './client';
export * from './consent';
export * from './user';
export * from './ledger';
export * from './scope';
export * from './ssf';
export * from './upcasting';
