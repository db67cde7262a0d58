import type { MessageType } from '../protocol/message-type';
import { LocalRoomRegistry } from '../rooms/room-registry';
import type { Session } from '../server/session';
import { BaseCluster, type Delivery } from './base-cluster';
import type { ClusterUsers, UserLocation } from './cluster';
import type { RoomBus } from './room-group';

const NO_BUS: RoomBus = { subscribe() {}, unsubscribe() {}, publish() {} };

/** Users of this process by id. */
class LocalUsers implements ClusterUsers {
  private readonly sessions = new Map<string, Session<unknown>>();

  constructor(private readonly node: string) {}

  register(userId: string, session: Session<unknown>): Promise<void> {
    this.sessions.set(userId, session);
    session.onClose(() => {
      if (this.sessions.get(userId) === session) this.sessions.delete(userId);
    });
    return Promise.resolve();
  }

  unregister(userId: string, session: Session<unknown>): Promise<void> {
    if (this.sessions.get(userId) === session) this.sessions.delete(userId);
    return Promise.resolve();
  }

  locate(userId: string): Promise<UserLocation | undefined> {
    const session = this.sessions.get(userId);
    return Promise.resolve(session === undefined ? undefined : { node: this.node, session: session.id });
  }

  push<T>(userId: string, type: MessageType<T>, data: T): Promise<boolean> {
    const session = this.sessions.get(userId);
    if (session === undefined || session.closing) return Promise.resolve(false);
    session.push(type, data);
    return Promise.resolve(true);
  }
}

/** The cluster API in one process: every actor is activated here, rooms and users are local. */
export class LocalCluster extends BaseCluster {
  readonly distributed = false;
  readonly users: ClusterUsers;
  readonly roomRegistry = new LocalRoomRegistry();
  /** Every room is in this process. */
  readonly roomPeers = undefined;

  constructor(node = 'local') {
    super(node);
    this.users = new LocalUsers(node);
  }

  protected send(delivery: Delivery): void {
    try {
      this.deliverLocally(delivery, () => {
        this.actorHost.activate({ type: delivery.type, id: delivery.id, node: this.node, reason: 'new' });
        return true;
      });
    } catch (error) {
      this.fail(delivery, error);
    }
  }

  protected roomBus(): RoomBus {
    return NO_BUS;
  }

  protected join(): Promise<void> {
    return Promise.resolve();
  }

  protected leave(): Promise<void> {
    return Promise.resolve();
  }
}
