import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServerObserver } from '../server/observer';
import type { ResolvedAdminOptions } from './admin-options';
import type { AdminTarget } from './admin-target';
import { History } from './history';
import { AdminApi } from './http/api';
import { AdminHttp } from './http/admin-http';
import { BearerAuth } from './http/auth';
import { ServerMetrics } from './metrics/server-metrics';

/**
 * A server's operations side (docs/operations.md): its metrics (the ServerObserver the server reports to),
 * the per-second history the dashboard charts, and the admin HTTP listener serving both.
 */
export class Admin {
  private readonly metrics: ServerMetrics;
  private readonly history: History;
  private readonly api: AdminApi;
  private readonly http: AdminHttp;
  private boundPort: number | undefined;

  constructor(
    private readonly options: ResolvedAdminOptions,
    target: AdminTarget,
    private readonly logger: Logger,
  ) {
    this.metrics = new ServerMetrics(target);
    this.history = new History(target, this.metrics);
    this.api = new AdminApi(target, this.metrics, this.history);
    this.http = new AdminHttp({
      api: this.api,
      auth: new BearerAuth(options.token),
      logger,
      metrics: () => this.metrics.exposition(),
      authFailed: () => this.metrics.adminAuthFailures++,
      ready: () => target.accepting,
    });
  }

  /** What the server reports to. */
  get observer(): ServerObserver {
    return this.metrics;
  }

  /** The Prometheus registry: register the game's own metrics here to have them on /metrics. */
  get registry(): Registry {
    return this.metrics.registry;
  }

  /** The bound port once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  get url(): string | undefined {
    if (this.boundPort === undefined) return undefined;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.boundPort}`;
  }

  async start(): Promise<number> {
    this.boundPort = await this.http.listen(this.options.host, this.options.port);
    await this.warmUp();
    this.metrics.handlerTimes.start();
    this.history.start();
    this.logger.info(
      { admin: this.url, token: this.options.token !== undefined },
      `admin listener on ${this.url}`,
    );
    return this.boundPort;
  }

  /**
   * Renders the exposition and the status once before any request: their first run compiles prom-client's
   * collectors and formatting and the API's code (about 20 ms of CPU, against about 5 ms for a later
   * scrape), which would otherwise be paid by the first scrape, under load (docs/operations.md, "Cost").
   */
  private async warmUp(): Promise<void> {
    await this.metrics.exposition();
    JSON.stringify(this.api.status());
  }

  async stop(): Promise<void> {
    this.history.stop();
    this.metrics.handlerTimes.stop();
    await this.http.close();
  }
}
