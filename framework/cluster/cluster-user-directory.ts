import type { Logger } from 'pino';
import type { Session } from '../server/session';
import { LocalUserDirectory, type UserDirectory, type UserId } from '../users/user-directory';
import type { ClusterUsers } from './cluster';

// Any user type, as in UserDirectory.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySession = Session<any, any>;

/**
 * The server's UserDirectory in a cluster: this node's sessions by user id (what `find` answers, at once),
 * each also registered in the cluster's user directory so pushes reach it from any node. A login here
 * replaces (and kicks) the user's session on another node: ClusterUsers.register tells that node.
 */
export class ClusterUserDirectory implements UserDirectory {
  private readonly local = new LocalUserDirectory();

  constructor(
    private readonly users: () => ClusterUsers,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.local.size;
  }

  find(userId: UserId): AnySession | undefined {
    return this.local.find(userId);
  }

  set(userId: UserId, session: AnySession): void {
    this.local.set(userId, session);
    this.users()
      .register(String(userId), session)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, user: userId }, 'cluster: user not registered'),
      );
  }

  delete(userId: UserId, session: AnySession): void {
    if (this.local.find(userId) !== session) return;
    this.local.delete(userId, session);
    this.users()
      .unregister(String(userId), session)
      .catch((error: unknown) => this.logger.warn({ err: error, user: userId }, 'cluster: user entry kept'));
  }
}
