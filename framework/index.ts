/** FastPort's public API. */
import 'reflect-metadata'; // decorator metadata for inversify, before any controller is declared
export { GameServer } from './server/game-server';
export type { GameServerOptions, SessionLimits } from './server/options';
export { defaultSessionLimits } from './server/options';
export { Session } from './server/session';
export type { CloseListener } from './server/session';
export { GameClient, RequestError } from './client/game-client';
export type { GameClientOptions } from './client/game-client';
export { Controller, Handler } from './handlers/decorators';
export type { HandlerOptions, HandlerFunction } from './handlers/decorators';
export { exploreHandlers, collectMessages } from './handlers/explorer';
export type { HandlerEntry, HandlerTable, ControllerClass } from './handlers/explorer';
export { Room, RoomRegistry } from './rooms/room';
export { Actor } from './actors/actor';
export type { ActorContext, ActorTimer, ActorMessageOf, ActorReplyOf } from './actors/actor';
export { ActorRef, ActorError } from './actors/actor-ref';
export { ActorSystem } from './actors/actor-system';
export type { SpawnOptions } from './actors/actor-system';
export { Mailbox } from './actors/mailbox';
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
export type { MailboxOptions } from './actors/mailbox';
export { GameError, ErrorCodes, HandlerSetupError, OptionError } from './errors';
export { createLogger } from './logging';
export type { Logger, LoggerOptions } from './logging';
export * as frameworkMessages from './protocol/framework-messages';
export { PayloadError } from './protocol/message-type';
export type { MessageType, RequestType, MessageOf, ResponseOf, DeepPartial } from './protocol/message-type';
export { createTransport } from './transport/create-transport';
export type { TransportOptions } from './transport/options';
export type { Transport, TransportHandler, EngineChoice, EngineName, SessionId } from './transport/transport';
export type { CloseReason } from './transport/close-reason';
