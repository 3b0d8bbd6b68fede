/**
 * Thrown by the token lookups while a rebuild from position 0 is staging the token view (see ViewStore.startRebuild),
 * and by the client secret lookups until such a rebuild has caught up: the answer is not known yet, and "inactive"
 * (or "this secret is valid") would be a wrong answer, not a safe one. The HTTP layer turns it into a
 * 503 with Retry-After; the instance is not ready meanwhile, so a load balancer sends nothing here anyway.
 */
export class ViewsRebuildingError extends Error {
  constructor() {
    super('The views are being rebuilt; retry shortly');
    this.name = 'ViewsRebuildingError';
  }
}
