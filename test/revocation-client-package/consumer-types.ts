// Type-checked, not run, by test/revocation-client-package.e2e-spec.ts inside the project that installed the
// tarball: the package's declarations must serve a TypeScript resource service with no path alias.
import { Introspection, IntrospectionCache, RevocationClient, RevocationMessage, tokenHash } from '@ledger/revocation-client';

const client: RevocationClient = new RevocationClient({ introspectionUrl: 'http://ledger/v1/oauth2/introspect', cache: { maxStalenessMs: 1000 } });
const cache: IntrospectionCache = client.cache;
const message: RevocationMessage = { eventId: 'e', type: 'consent.scopes_revoked', userId: 'u', clientId: 'c', scopes: ['a'], tokenIds: [], tokenHashes: [] };
const applied: boolean = cache.apply(message);
const answer: Promise<Introspection> = client.introspect('raw');
export const checked = [applied, answer, tokenHash('raw').length];
