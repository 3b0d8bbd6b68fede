/** DI tokens of the read-side ports, so that readers depend on TokenView, ConsentView, ClientView and UserView, not on an adapter. */
export const TOKEN_VIEW = Symbol('TOKEN_VIEW');
export const CONSENT_VIEW = Symbol('CONSENT_VIEW');
export const CLIENT_VIEW = Symbol('CLIENT_VIEW');
export const USER_VIEW = Symbol('USER_VIEW');
