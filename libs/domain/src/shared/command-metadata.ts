/**
 * Who asks, when, and why. Deciders take time and actor from here, never from a clock or a global, so that a
 * decision is a pure function of (command, state, metadata) and replays give the same answer.
 */
export interface CommandMetadata {
  now: Date;
  /** The authenticated principal that issued the command. */
  actor: string;
  correlationId: string;
  /** CAEP initiating entity. */
  initiator: Initiator;
  reason?: string;
}

export type Initiator = 'user' | 'admin' | 'policy' | 'system';
export const INITIATORS: readonly Initiator[] = ['user', 'admin', 'policy', 'system'];
