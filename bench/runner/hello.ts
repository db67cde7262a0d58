/** Builds the framework's Hello frame (proto/fastport/framework.proto) as hex for `loadgen --hello-hex`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { DIST, REPO_ROOT } from './paths';

export const HELLO_MAGIC = 0x46505254; // "FPRT"
const HELLO_SEQ = 0x7fffffff; // its Welcome has another msgId, so the seq never meets the loadgen's own

export function frameHex(msgId: number, seq: number, body: Uint8Array): string {
  const frame = Buffer.alloc(10 + body.length);
  frame.writeUInt32BE(frame.length, 0);
  frame.writeUInt16BE(msgId, 4);
  frame.writeUInt32BE(seq, 6);
  frame.set(body, 10);
  return frame.toString('hex');
}

/** The protocol version the built framework speaks (dist/framework), else 1. */
export function frameworkProtocolVersion(): number {
  const file = path.join(DIST, 'framework', 'protocol', 'framework-messages.js');
  try {
    const version = (require(file) as { PROTOCOL_VERSION?: unknown }).PROTOCOL_VERSION;
    return typeof version === 'number' ? version : 1;
  } catch {
    return 1;
  }
}

/** The Hello frame as hex, or throws with the reason it cannot be built. */
export function buildHelloHex(protocolVersion: number): string {
  const protoDir = path.join(REPO_ROOT, 'proto');
  const file = path.join(protoDir, 'fastport', 'framework.proto');
  if (!fs.existsSync(file)) throw new Error(`missing ${path.relative(REPO_ROOT, file)}`);
  const root = new protobuf.Root();
  // google/protobuf/* come with protobufjs; everything else lives under proto/.
  const protobufjsDir = path.dirname(require.resolve('protobufjs/package.json'));
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    return path.join(target.startsWith('google/') ? protobufjsDir : protoDir, target);
  };
  root.loadSync('fastport/framework.proto', { keepCase: true });
  const hello = root.lookupType('fastport.Hello');
  const id = (hello.options ?? {})['(fastport.id)'];
  if (typeof id !== 'number') throw new Error('fastport.Hello has no (fastport.id) option');
  const body = hello
    .encode(hello.fromObject({ magic: HELLO_MAGIC, protocol_version: protocolVersion }))
    .finish();
  return frameHex(id, HELLO_SEQ, body);
}
