export * from './ssf-subject';
export * from './ssf-stream';
export * from './ssf-event-types';
export * from './manage-ssf-stream';
export * from './ssf-subjects';
export * from './acknowledge-sets';
export * from './ssf-stream.decider';
export * from './ssf-event-versions';
