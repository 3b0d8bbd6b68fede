export * from './command-executor';
export * from './read-your-writes.port';
export * from './stream-lanes';
