export * from './command-executor';
export * from './position-scope';
export * from './read-your-writes.port';
export * from './stream-lanes';
export * from './event-codec';
