/** DI tokens of the read-side ports, so that readers depend on TokenView and ConsentView, not on an adapter. */
export const TOKEN_VIEW = Symbol('TOKEN_VIEW');
export const CONSENT_VIEW = Symbol('CONSENT_VIEW');
