export * from './event-versions';
export * from './upcast';
export * from './read-ledger-event';
