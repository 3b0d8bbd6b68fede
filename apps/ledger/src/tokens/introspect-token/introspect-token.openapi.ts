import type { OpenAPIObject } from '@nestjs/swagger';
import { BASIC_SCHEME, BEARER_SCHEME } from '../../docs/api-docs';
import { INTROSPECTION_PATH } from './introspect-token.route';

const CONSISTENCY_DOC =
  'Optional consistency token from the Ledger-Consistency header of a command answer, from any instance: this instance answers only once its ' +
  'views include that command (at most LEDGER_CONSISTENCY_WAIT_MS), so a revocation acknowledged anywhere is never answered active here.';

/** RFC 7662 section 2.2; an inactive token gets exactly {"active": false}. */
const INTROSPECTION_SCHEMA = {
  type: 'object',
  required: ['active'],
  properties: {
    active: { type: 'boolean' },
    scope: { type: 'string', description: 'Space-delimited scopes' },
    client_id: { type: 'string' },
    sub: { type: 'string', description: 'The user' },
    token_type: { type: 'string' },
    exp: { type: 'integer' },
    iat: { type: 'integer' },
    jti: { type: 'string', description: 'The token id' },
    iss: { type: 'string', description: 'The issuer (LEDGER_ISSUER)' },
    token_use: { type: 'string', enum: ['access_token', 'refresh_token'], description: 'Which kind of token (as Hydra names it); token_type stays Bearer, its RFC 7662 meaning' },
  },
};


/**
 * Introspection is a plain Fastify route (introspect-token.route.ts), which Nest's Swagger module cannot see: its
 * operation is written here and added to /docs-json, so that the document, and the fuzzer that reads it, cover it.
 */
export const introspectionOperation: { path: string; item: OpenAPIObject['paths'][string] } = {
  path: INTROSPECTION_PATH,
  item: {
    post: {
      operationId: 'IntrospectToken_introspect',
      summary: 'RFC 7662 token introspection',
      description:
        'Unknown, expired and revoked tokens all get exactly {"active": false}. For resource services: an API key of role introspect, as Bearer, HTTP Basic ' +
        '(client_secret_basic, the key name and secret) or client_id and client_secret in the form (client_secret_post), exactly one of them. OAuth client ' +
        'credentials are not accepted here.',
      tags: ['tokens'],
      security: [{ [BEARER_SCHEME]: [] }, { [BASIC_SCHEME]: [] }],
      ...{ 'x-roles': ['introspect', 'admin'] },
      parameters: [
        {
          name: 'Ledger-Consistency',
          in: 'header',
          required: false,
          description: `${CONSISTENCY_DOC} Same as the consistency parameter; with both, the later position counts.`,
          schema: { type: 'string' },
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              required: ['token'],
              properties: {
                token: { type: 'string' },
                token_type_hint: { type: 'string' },
                // RFC 7662 section 2.1 allows extension parameters.
                consistency: { type: 'string', pattern: '^v1\\.[A-Za-z0-9_-]{11}$', description: CONSISTENCY_DOC },
                client_id: { type: 'string', description: 'client_secret_post: the API key name' },
                client_secret: { type: 'string', description: 'client_secret_post: the API key secret' },
              },
            },
          },
        },
      },
      responses: {
        '200': { description: 'RFC 7662 introspection response', content: { 'application/json': { schema: INTROSPECTION_SCHEMA } } },
        '400': { description: 'invalid_request: no token, a repeated parameter, two authentication methods, or a malformed consistency token' },
        // Every error below is RFC 6749 JSON: openapi.ts writes the content of an OAuth endpoint's errors.
        '401': { description: 'invalid_client (WWW-Authenticate)' },
        '403': { description: 'unauthorized_client: the role may not introspect' },
        '413': { description: 'invalid_request: the body is over LEDGER_BODY_LIMIT_BYTES' },
        '415': { description: 'invalid_request: not application/x-www-form-urlencoded' },
        '503': { description: 'temporarily_unavailable (consistency_timeout, views_rebuilding): the views did not reach the consistency token in time, or are being rebuilt (Retry-After); never a stale answer' },
      },
    },
  },
};
