import { randomBytes } from 'node:crypto';
import type { SessionId } from '../transport/transport';

/** Why a presented token does not resume a session (sent as the Error code, see ErrorCodes). */
export type ResumeFailure =
  | 'RESUME_UNKNOWN'
  | 'RESUME_EXPIRED'
  | 'RESUME_OVERFLOW'
  | 'RESUME_ENDED'
  /** In a cluster: the token was issued by another node (dead, or the client moved): no session here. */
  | 'SESSION_GONE';

/** Bytes of randomness in a token (192 bits: not guessable, not enumerable). */
export const TOKEN_BYTES = 24;
/** Ended sessions whose tokens still get a precise reason (older ones just get RESUME_UNKNOWN). */
const REMEMBERED_ENDINGS = 4096;

/**
 * Resume tokens of this server: each names exactly one live session and is replaced at every resume
 * (an old token, replayed by anyone, no longer works). Tokens of ended sessions are remembered, bounded,
 * so a late client learns why it cannot resume. In a cluster a token ends with the issuing node's name,
 * so a node tells a token of another node (SESSION_GONE) from one it never issued.
 */
export class ResumeTokens {
  private readonly live = new Map<string, SessionId>();
  private readonly ended = new Map<string, ResumeFailure>();
  private readonly suffix: Buffer;

  /** `node`: this node's name in a cluster ('' in one process). */
  constructor(node = '') {
    this.suffix = Buffer.from(node, 'utf8');
  }

  /** A new token for the session. */
  issue(session: SessionId): Buffer {
    const token = Buffer.concat([randomBytes(TOKEN_BYTES), this.suffix]);
    this.live.set(token.toString('base64'), session);
    return token;
  }

  /** The node that issued a cluster token; undefined for a token without a node name. */
  nodeOf(token: Uint8Array): string | undefined {
    return token.length > TOKEN_BYTES ? Buffer.from(token.subarray(TOKEN_BYTES)).toString('utf8') : undefined;
  }

  /** The live session of this token, or why there is none. */
  find(token: Uint8Array): SessionId | ResumeFailure {
    if (token.length < TOKEN_BYTES) return 'RESUME_UNKNOWN';
    if (
      this.suffix.length > 0 &&
      token.length > TOKEN_BYTES &&
      !this.suffix.equals(token.subarray(TOKEN_BYTES))
    )
      return 'SESSION_GONE';
    const key = Buffer.from(token.buffer, token.byteOffset, token.byteLength).toString('base64');
    return this.live.get(key) ?? this.ended.get(key) ?? 'RESUME_UNKNOWN';
  }

  /** The token no longer resumes anything (replaced at a resume). */
  revoke(token: Uint8Array): void {
    this.live.delete(Buffer.from(token).toString('base64'));
  }

  /** The session ended: its token is remembered with the reason, then forgotten after newer endings. */
  end(token: Uint8Array, reason: ResumeFailure): void {
    const key = Buffer.from(token).toString('base64');
    this.live.delete(key);
    this.ended.set(key, reason);
    if (this.ended.size > REMEMBERED_ENDINGS) this.ended.delete(this.ended.keys().next().value as string);
  }

  get liveCount(): number {
    return this.live.size;
  }
}
