export * from './revocation-event';
export * from './kafka-revocation-publisher';
export * from './revocation-feed';
export * from './sse-subscriber';
export * from './revocation-fan-out';
export * from './ssf';
