import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { isOAuthPath, OAUTH_ERROR_CONTENT_TYPE } from '../http/oauth-error';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';
import { introspectionOperation } from '../tokens/introspect-token/introspect-token.openapi';
import { BASIC_SCHEME, BEARER_SCHEME, PROBLEM_SCHEMA } from './api-docs';

type Operation = OpenAPIObject['paths'][string]['get'] & object;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** RFC 7807 as problem.ts builds it; `code` is the stable identifier listed in docs/problem-codes.md. */
const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', example: 'urn:consent-ledger:problem:consent_not_found', description: 'urn:consent-ledger:problem:<code>' },
    title: { type: 'string', example: 'Not found' },
    status: { type: 'integer', example: 404 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
    code: { type: 'string', example: 'consent_not_found', description: 'Stable; branch on it (docs/problem-codes.md lists every code)' },
    details: {
      type: 'object',
      description: 'Particulars, whatever raised the problem: invalid_request has `fields` ([{field, messages}]); a domain refusal names the values concerned (e.g. `scopes`)',
      additionalProperties: true,
    },
  },
  additionalProperties: true,
};

const REQUEST_ID_DOC =
  "The caller's own request id, recorded as clientRequestId (caller-asserted) with every event the request appends; 1-128 of A-Z a-z 0-9 . _ : -, anything else is dropped. " +
  "The server's own id is the events' correlationId and comes back in the X-Request-Id response header.";

/** The OpenAPI document of the service, served at /docs (Swagger UI), /docs-json and /docs-yaml. */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Consent ledger')
    .setDescription(
      'Consents, tokens within them, and revocations that take effect everywhere at once. Errors are RFC 7807 application/problem+json with a stable `code` ' +
        '(docs/problem-codes.md). Authorize with an API key of the role an operation names (x-roles); an admin key may call everything except ' +
        'RFC 7009 revocation (x-oauth-client), which serves OAuth clients with their own client credentials.',
    )
    .setVersion('1')
    // Opaque API keys from LEDGER_API_KEYS, not JWTs: a client must not try to decode them.
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque API key', description: 'An API key secret from LEDGER_API_KEYS' }, BEARER_SCHEME)
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description:
          'OAuth endpoints only (client_secret_basic). /v1/oauth2/introspect: an API key name as user name and its secret as password. ' +
          '/v1/oauth2/revoke: an OAuth client id and one of its secrets (POST /v1/clients/{id}/secrets).',
      },
      BASIC_SCHEME,
    )
    .build();
  const generated = SwaggerModule.createDocument(app, config);
  // Introspection is a plain Fastify route that Nest's Swagger module cannot see; its operation is written by hand.
  generated.paths[introspectionOperation.path] = introspectionOperation.item;
  const document = withEdgeBehaviour(generated);
  // validatorUrl 'none': Swagger UI would otherwise send the document to an online validator from the reader's browser.
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { validatorUrl: 'none' } });
  return document;
}

/**
 * What every request meets before its controller (bootstrap.ts): the request id, the media-type and body-size
 * checks and the store's availability are the same for all operations, so they are written here once.
 */
function withEdgeBehaviour(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, [PROBLEM_SCHEMA]: PROBLEM } };
  const problemResponse = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` } } } });
  const schemas = document.components.schemas as Record<string, { additionalProperties?: boolean }>;
  for (const [route, path] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op: Operation | undefined = path[method];
      if (!op) continue;
      const secured = (op.security?.length ?? 0) > 0;
      // Public operations say so, rather than leaving it to a global default.
      if (!secured) op.security = [];
      const hasInput = op.requestBody !== undefined || (op.parameters ?? []).length > 0;
      op.parameters = [...(op.parameters ?? []), { name: 'X-Request-Id', in: 'header', required: false, description: REQUEST_ID_DOC, schema: { type: 'string' } }];
      if (hasInput) op.responses[400] ??= problemResponse('The request is malformed or fails validation (invalid_request, with `details.fields`, or a specific code)');
      if (op.requestBody) {
        // The validation pipe refuses unknown fields (forbidNonWhitelisted), so the request DTOs are closed.
        const schema = (op.requestBody as { content?: Record<string, { schema?: { $ref?: string; allOf?: Array<{ $ref?: string }> } }> }).content?.['application/json']?.schema;
        const ref = schema?.$ref ?? schema?.allOf?.[0]?.$ref;
        if (ref) schemas[ref.split('/').pop()!].additionalProperties = false;
        op.responses[413] ??= problemResponse('The body is larger than LEDGER_BODY_LIMIT_BYTES (payload_too_large)');
        op.responses[415] ??= problemResponse('The body is not in the media type this operation takes (unsupported_media_type)');
      }
      if (secured) {
        op.responses[503] ??= {
          ...problemResponse('The store or views cannot answer now (store_unavailable, views_rebuilding, event_unreadable); Retry-After says when to come back'),
          headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
        };
      }
      if (isOAuthPath(route)) asOAuthErrors(op);
      for (const response of Object.values(op.responses)) {
        if (!response || '$ref' in response) continue;
        response.headers = { 'X-Request-Id': { description: 'The server\'s own request id (a UUID): the correlationId of the events this request appended, and the requestId of its log line', schema: { type: 'string' } }, ...response.headers };
      }
    }
  }
  return document;
}

const OAUTH_ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string', example: 'invalid_request', description: 'RFC 6749 section 5.2 error code (docs/errors.md maps each problem code to one)' },
    error_description: { type: 'string' },
  },
};

/**
 * The OAuth endpoints answer every error as RFC 6749 section 5.2 JSON, which OAuth client libraries parse, not as
 * problem+json (http/oauth-error.ts): the document says so, whatever the shared decorators wrote.
 */
function asOAuthErrors(op: Operation): void {
  for (const [status, response] of Object.entries(op.responses)) {
    if (Number(status) < 400 || !response || '$ref' in response) continue;
    response.content = { [OAUTH_ERROR_CONTENT_TYPE]: { schema: OAUTH_ERROR } };
  }
}
