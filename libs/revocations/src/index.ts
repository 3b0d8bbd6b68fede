export * from './revocation-event';
export * from './revocation-event.v2';
export * from './kafka-revocation-publisher';
export * from './revocation-feed';
export * from './http-feed-sink';
export * from './sse-subscriber';
export * from './revocation-fan-out';
export * from './ssf';
