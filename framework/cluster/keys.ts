/** Subject and KV key names: `<cluster>.node.<node>`, `<cluster>.room.<token>`, buckets `<cluster>_actors`... */

const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * An id as one subject / KV key token: kept when it is letters, digits, '-' and '_', else '=' + base64url
 * (a kept id never contains '=', so the two cannot collide).
 */
export function token(id: string): string {
  return SAFE_TOKEN.test(id) ? id : `=${Buffer.from(id, 'utf8').toString('base64url')}`;
}

export function actorKey(type: string, id: string): string {
  return `${type}.${token(id)}`;
}

export function userKey(userId: string): string {
  return token(userId);
}

export interface Names {
  nodesBucket: string;
  actorsBucket: string;
  usersBucket: string;
  roomsBucket: string;
  nodeSubject(node: string): string;
  roomSubject(room: string): string;
  /** Frames from rooms hosted elsewhere for this node's sessions (binary, see room-link.ts). */
  fanoutSubject(node: string): string;
  resetSubject: string;
}

export function names(cluster: string): Names {
  return {
    nodesBucket: `${cluster}_nodes`,
    actorsBucket: `${cluster}_actors`,
    usersBucket: `${cluster}_users`,
    roomsBucket: `${cluster}_rooms`,
    nodeSubject: (node) => `${cluster}.node.${node}`,
    roomSubject: (room) => `${cluster}.room.${token(room)}`,
    fanoutSubject: (node) => `${cluster}.fanout.${node}`,
    resetSubject: `${cluster}.reset`,
  };
}
