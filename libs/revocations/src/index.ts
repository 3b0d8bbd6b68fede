export * from './revocation-event';
export * from './kafka-revocation-publisher';
export * from './revocation-feed';
