export * from './event-versions';
export * from './upcast';
