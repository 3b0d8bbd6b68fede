export * from './canonical';
export * from './chain';
export * from './verify';
export * from './as-of';
export * from './ndjson';
export * from './audit-queries';
export * from './chained-event-store';
