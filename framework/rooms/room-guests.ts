import type { Logger } from 'pino';
import { Session, type SessionContext } from '../server/session';
import type { CloseReason } from '../transport/close-reason';
import type { SessionId, Transport } from '../transport/transport';
import type { GuestAddress, GuestInfo, RoomPeers } from './room-peers';

/** What rooms send frames with: the transport, or the router that also reaches guests on other nodes. */
export type FrameSender = Pick<Transport, 'send' | 'broadcast' | 'close'>;

/** Guest session ids start here: above every transport's ids (u32), far below 2^53. */
const GUEST_BASE = 2 ** 40;

function addressKey(address: GuestAddress): string {
  return `${address.node}/${address.incarnation}/${address.session}`;
}

/**
 * Sessions of other nodes in rooms hosted here ("guests"): one `Session` per remote session, with an id of
 * its own, its user copied at join, a state of its own (not the remote session's) and frames routed to its
 * node. `sender` is what the rooms send with: a broadcast goes to local ids through the transport and once
 * to each guest node with that node's ids.
 */
export class RoomGuests {
  private readonly byKey = new Map<string, Session<unknown, object>>();
  private readonly addresses = new Map<SessionId, GuestAddress>();
  private nextId = GUEST_BASE;
  private readonly context: SessionContext;
  readonly sender: FrameSender;

  constructor(
    private readonly local: FrameSender,
    private readonly peers: () => RoomPeers | undefined,
    logger: () => Logger,
  ) {
    this.sender = {
      send: (id, msgId, seq, payload) => this.send(id, msgId, seq, payload),
      broadcast: (ids, msgId, seq, payload) => this.broadcast(ids, msgId, seq, payload),
      close: (id, reason) => this.close(id, reason),
    };
    this.context = {
      transport: this.sender,
      get logger() {
        return logger();
      },
      users: undefined,
      newState: () => ({}),
    };
  }

  isGuest(session: Session<unknown, object>): boolean {
    return this.addresses.has(session.id);
  }

  /** The guest session for this remote session: the one it has here already, or a new one. */
  admit(info: GuestInfo): Session<unknown, object> {
    const existing = this.byKey.get(addressKey(info));
    if (existing !== undefined) return existing;
    const address: GuestAddress = { node: info.node, incarnation: info.incarnation, session: info.session };
    const session = new Session<unknown, object>(this.nextId++, `${info.node}/${info.session}`, this.context);
    if (info.authenticated) session.authenticate(info.user);
    this.byKey.set(addressKey(address), session);
    this.addresses.set(session.id, address);
    return session;
  }

  find(address: GuestAddress): Session<unknown, object> | undefined {
    return this.byKey.get(addressKey(address));
  }

  addressOf(session: Session<unknown, object>): GuestAddress | undefined {
    return this.addresses.get(session.id);
  }

  /** Forgets the guest once it is in no room here. */
  forgetIfIdle(session: Session<unknown, object>): void {
    const address = this.addresses.get(session.id);
    if (address === undefined || (session.groupsIfAny?.size ?? 0) > 0) return;
    this.addresses.delete(session.id);
    this.byKey.delete(addressKey(address));
  }

  /** Node -> incarnations that have guests here. */
  nodes(): Map<string, Set<string>> {
    const nodes = new Map<string, Set<string>>();
    for (const address of this.addresses.values()) {
      const incarnations = nodes.get(address.node) ?? new Set<string>();
      incarnations.add(address.incarnation);
      nodes.set(address.node, incarnations);
    }
    return nodes;
  }

  /** The guests of one node incarnation. */
  of(node: string, incarnation: string): Session<unknown, object>[] {
    const found: Session<unknown, object>[] = [];
    for (const [id, address] of this.addresses)
      if (address.node === node && address.incarnation === incarnation) {
        const session = this.byKey.get(addressKey(address));
        if (session !== undefined && session.id === id) found.push(session);
      }
    return found;
  }

  private send(id: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    const address = this.addresses.get(id);
    if (address === undefined) {
      if (id < GUEST_BASE) this.local.send(id, msgId, seq, payload);
      return; // a guest that left: dropped, as sends to a closed session are
    }
    this.peers()?.send(address.node, [address.session], msgId, payload);
  }

  private broadcast(ids: readonly SessionId[], msgId: number, seq: number, payload: Uint8Array): void {
    if (this.addresses.size === 0) {
      this.local.broadcast(ids, msgId, seq, payload);
      return;
    }
    const locals: SessionId[] = [];
    const byNode = new Map<string, SessionId[]>();
    for (const id of ids) {
      if (id < GUEST_BASE) {
        locals.push(id);
        continue;
      }
      const address = this.addresses.get(id);
      if (address === undefined) continue;
      const list = byNode.get(address.node);
      if (list === undefined) byNode.set(address.node, [address.session]);
      else list.push(address.session);
    }
    if (locals.length > 0) this.local.broadcast(locals, msgId, seq, payload);
    const peers = this.peers();
    if (peers !== undefined) for (const [node, list] of byNode) peers.send(node, list, msgId, payload);
  }

  /** A guest closed here (kick, close): its node closes the real session. */
  private close(id: SessionId, reason: CloseReason): void {
    const address = this.addresses.get(id);
    if (address === undefined) {
      if (id < GUEST_BASE) this.local.close(id, reason);
      return;
    }
    this.peers()?.dropped(address, '', reason);
  }
}
