export { startEsdbTestServer } from './esdb-test-server';
export type { EsdbTestServer, EsdbTestServerOptions, ServedMethod } from './esdb-test-server';
