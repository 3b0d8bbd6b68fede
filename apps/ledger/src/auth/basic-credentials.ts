/** HTTP Basic as OAuth uses it (RFC 6749 section 2.3.1, client_secret_basic): an id and a secret. */
export interface BasicCredentials {
  id: string;
  secret: string;
}

/**
 * The id and secret of an `Authorization: Basic` header, or undefined for any other header. RFC 6749 section 2.3.1
 * has both form-encoded before base64, so they are form-decoded here (a malformed escape is kept as sent).
 */
export function parseBasic(authorization: string | undefined): BasicCredentials | undefined {
  if (typeof authorization !== 'string' || authorization.length > 2048) return undefined;
  const space = authorization.indexOf(' ');
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(authorization.slice(space + 1).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
