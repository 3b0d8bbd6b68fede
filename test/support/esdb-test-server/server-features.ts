import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';

// ServerFeatures.GetSupportedMethods: what the client asks first, to learn the server's version and which optional
// methods it may use.

/** The EventStoreDB this server follows where the adapter depends on it, as the real server spells its version. */
export const EMULATED_SERVER_VERSION = '24.10.0';

/**
 * Only what this server serves, named as EventStoreDB names them (service and method lower-cased, the features it
 * attaches to Streams.Read). BatchAppend is not among them, so the client appends with plain Streams.Append.
 */
const SERVED: ReadonlyArray<{ service: string; method: string; features?: string[] }> = [
  { service: 'event_store.client.streams.streams', method: 'read', features: ['position', 'events'] },
  { service: 'event_store.client.streams.streams', method: 'append' },
  { service: 'event_store.client.gossip.gossip', method: 'read' },
  { service: 'event_store.client.server_features.serverfeatures', method: 'getsupportedmethods' },
];

export function supportedMethods(): SupportedMethods {
  const result = new SupportedMethods();
  result.setEventStoreServerVersion(EMULATED_SERVER_VERSION);
  result.setMethodsList(
    SERVED.map(({ service, method, features }) => {
      const supported = new SupportedMethod();
      supported.setServiceName(service);
      supported.setMethodName(method);
      supported.setFeaturesList(features ?? []);
      return supported;
    }),
  );
  return result;
}
