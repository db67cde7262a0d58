import { createHash } from 'node:crypto';

let done = false;

/**
 * Makes Node create one Buffer on its C++ side now, so that V8's one-time map change it causes happens
 * before traffic instead of under it (docs/operations.md, "Cost").
 *
 * Node's C++ code makes a Buffer by creating a Uint8Array and setting its prototype to Buffer.prototype.
 * The first time this happens in a process, V8 adds a prototype transition to the Uint8Array map, which
 * makes that map unstable: every optimized function that relied on it being stable (protobuf decode and
 * encode, the transport's send and command log, ...) is deoptimized and compiled again. A game server
 * does it sooner or later on its own: the admin listener's first request body (a POST) or bearer-token
 * check (a SHA-256 digest), a game's first hash, `v8.serialize` or HTTP call. GameServer.start calls this
 * before it listens. Idempotent; costs one SHA-256 of nothing.
 */
export function warmNativeBufferMap(): void {
  if (done) return;
  createHash('sha256').digest();
  done = true;
}
