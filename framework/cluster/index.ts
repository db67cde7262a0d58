/** The cluster: actors by type + id on any node, rooms across nodes, users found anywhere (NATS + JetStream). */
export type {
  Activation,
  ActorFactory,
  ActorType,
  ActorTypeOptions,
  Cluster,
  ClusterActorRef,
  ClusterHost,
  ClusterRoom,
  ClusterUsers,
  RoomResetListener,
  UserLocation,
} from './cluster';
export { ClusterError } from './errors';
export type { ClusterErrorCode } from './errors';
export { LocalCluster } from './local-cluster';
export { NatsCluster, CLUSTER_PROTOCOL, messageTableHash } from './nats-cluster';
export { resolveClusterOptions } from './options';
export type { ClusterOptions } from './options';
