/** FastPort's public API: what a game server, its rooms and its clients need. */
import 'reflect-metadata'; // decorator metadata for inversify, before any controller is declared
export { GameServer } from './server/game-server';
export type { GameServerOptions, SessionLimits } from './server/options';
export { defaultSessionLimits } from './server/options';
export { Session } from './server/session';
export type { CloseListener } from './server/session';
export type { SessionTypes, AppUser, AppState } from './server/session-types';
export { GameClient, RequestError } from './client/game-client';
export type { GameClientOptions, ClientCloseReason } from './client/game-client';
export type { ReconnectEvent } from './resume/client-resume';
export type { ReconnectOptions } from './resume/reconnect-policy';
export type { SessionDropListener, SessionResumeListener } from './resume/session-keeper';
export { Controller, Handler } from './handlers/decorators';
export type { HandlerOptions, HandlerFunction } from './handlers/decorators';
export type {
  HandlerContext,
  HandlerInfo,
  Middleware,
  MiddlewareFunction,
  MiddlewareLike,
} from './handlers/middleware';
export { rateLimit, requireAuthentication, roles, timing } from './handlers/guards';
export { Room } from './rooms/room';
export type { LeaveReason, RoomClock } from './rooms/room';
export { Matchmaker, RoomRef, defaultRoomLimits, roomActorId } from './rooms/matchmaker';
export type {
  JoinResult,
  JoinReply,
  RoomClass,
  RoomLimits,
  CreateRoomOptions,
  JoinOrCreateOptions,
} from './rooms/matchmaker';
export { LocalRoomRegistry } from './rooms/room-registry';
export type { RoomRegistry, RoomListing, RoomListingUpdate, RoomMetadata } from './rooms/room-registry';
export { LocalUserDirectory } from './users/user-directory';
export type { UserDirectory, UserId } from './users/user-directory';
export type { SecondLoginPolicy, UserIndexOptions } from './users/user-index';
export { Actor } from './actors/actor';
export type { ActorContext, ActorTimer } from './actors/actor';
export { ActorRef, ActorError } from './actors/actor-ref';
export { ActorSystem } from './actors/actor-system';
export type { SpawnOptions } from './actors/actor-system';
export { LocalCluster, NatsCluster, ClusterError, CLUSTER_PROTOCOL } from './cluster';
export type {
  Activation,
  ActorFactory,
  ActorType,
  ActorTypeOptions,
  Cluster,
  ClusterActorRef,
  ClusterOptions,
  ClusterRoom,
  ClusterUsers,
  RoomResetListener,
  UserLocation,
} from './cluster';
export { GameError, ErrorCodes, HandlerSetupError, OptionError } from './errors';
export { createLogger } from './logging';
export type { Logger, LoggerOptions } from './logging';
export { PayloadError } from './protocol/message-type';
export type { MessageType, RequestType, MessageOf, ResponseOf, DeepPartial } from './protocol/message-type';
export { createTransport } from './transport/create-transport';
export type { TransportOptions } from './transport/options';
export type { Transport, EngineChoice, EngineName, SessionId } from './transport/transport';
export type { CloseReason } from './transport/close-reason';
