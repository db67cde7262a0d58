import type { SessionId } from '../transport/transport';

/**
 * A room's member ids as one cached array for Transport.broadcast, rebuilt only after a membership
 * change. Leaving one member out moves it to the end and shortens the array for the call, then puts it
 * back: no array is allocated per broadcast (transports read the ids before broadcast() returns).
 */
export class MemberIds {
  private ids: SessionId[] | undefined;

  invalidate(): void {
    this.ids = undefined;
  }

  /** Calls `send` with the ids of `members`, without `except` when it is one of them; skips an empty list. */
  withEach(
    members: ReadonlyMap<SessionId, unknown>,
    except: SessionId | undefined,
    send: (ids: readonly SessionId[]) => void,
  ): void {
    const ids = (this.ids ??= [...members.keys()]);
    const at = except === undefined ? -1 : ids.indexOf(except);
    if (at < 0) {
      if (ids.length > 0) send(ids);
      return;
    }
    const last = ids.length - 1;
    ids[at] = ids[last];
    ids[last] = except as SessionId;
    ids.length = last;
    try {
      if (last > 0) send(ids);
    } finally {
      ids.push(except as SessionId);
    }
  }
}
