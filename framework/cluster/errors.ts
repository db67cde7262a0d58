import { GameError } from '../errors';

export type ClusterErrorCode =
  'NOT_STARTED' | 'UNKNOWN_ACTOR_TYPE' | 'UNDELIVERABLE' | 'JOIN_REFUSED' | 'NODE_STOPPED';

/** A cluster-level failure: the actor type is not defined, the message could not be delivered, a refused join. */
export class ClusterError extends GameError<ClusterErrorCode> {
  override readonly name = 'ClusterError';
}
