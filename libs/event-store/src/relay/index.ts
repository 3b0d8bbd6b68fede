export * from './relay.port';
export * from './checkpointed-relay';
