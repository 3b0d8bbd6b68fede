export * from './introspection-cache';
export * from './revocation-consumer';
export * from './revocation-client';
