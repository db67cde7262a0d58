import type { CloseReason } from '../transport/close-reason';
import type { SessionId } from '../transport/transport';
import { ReplayBuffer } from './replay-buffer';

/** What the server keeps for one resumable session, across its connections. */
export class ResumeState {
  readonly replay: ReplayBuffer;
  /** The transport connection the session speaks through; undefined while it is away. */
  real: SessionId | undefined;
  /** The highest request seq received (re-sent requests at or below it are not run again). */
  highestSeq = 0;
  /** The last resume's Hello.last_received: kept frames up to it reached the client, later ones were replayed. */
  resumedFrom: number | undefined;
  /** While away: the number of the newest frame when the connection dropped. */
  newestAtDrop = 0;
  /** Ends the session when the grace window passes while away. */
  windowTimer: NodeJS.Timeout | undefined;
  /** The close reason of the drop (reported when the window ends). */
  dropReason: CloseReason | undefined;
  /** An end is scheduled (replay bound passed while away). */
  ending = false;

  constructor(
    /** The current resume token (a new one at every resume). */
    public token: Buffer,
    maxFrames: number,
    maxBytes: number,
  ) {
    this.replay = new ReplayBuffer(maxFrames, maxBytes);
  }

  get away(): boolean {
    return this.real === undefined;
  }
}
