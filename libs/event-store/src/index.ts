export * from './event-store.port';
export * from './event-store.errors';
export * from './lag';
export * from './backoff';
export * from './relay';
export * from './sqlite/sqlite-event-store';
export * from './lease';
export * from './open-event-store';
