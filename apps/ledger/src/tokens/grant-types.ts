/** RFC 8693 section 2.1: the grant type of token exchange, and the token type of what it takes and answers. */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * The grant types POST /v1/oauth2/token serves (the RFC 8414 metadata's grant_types_supported); the auth front end
 * serves authorization_code (docs/design.md, "Discovery").
 */
export const GRANT_TYPES = ['refresh_token', TOKEN_EXCHANGE] as const;
