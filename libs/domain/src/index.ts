export * from './shared';
export * from './client';
export * from './consent';
