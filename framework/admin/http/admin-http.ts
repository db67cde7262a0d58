import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AdminApi } from './api';
import { pageOf } from './api';
import type { BearerAuth } from './auth';
import { dashboardFile } from './dashboard-files';
import { HttpError, readJsonObject, sendJson, sendText } from './respond';

/** What the listener serves besides the JSON API. */
export interface AdminHttpParts {
  api: AdminApi;
  auth: BearerAuth;
  logger: Logger;
  /** Prometheus text exposition. */
  metrics(): Promise<string>;
  /** Counts a request refused for its token. */
  authFailed(): void;
  ready(): boolean;
}

type Route = (request: IncomingMessage, url: URL, params: string[]) => Promise<unknown> | unknown;

const KICK_PATH = /^\/api\/sessions\/([^/]+)\/kick$/;

/**
 * The admin HTTP listener: `/healthz`, `/readyz`, `/metrics`, the JSON API under `/api/`, and the dashboard
 * at `/`. Only /metrics and /api/* need the bearer token; every failure is a JSON error, never a crash.
 */
export class AdminHttp {
  private server: Server | undefined;

  constructor(private readonly parts: AdminHttpParts) {}

  async listen(host: string, port: number): Promise<number> {
    const server = createServer((request, response) => void this.serve(request, response));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://admin.invalid');
      await this.route(request, response, url);
    } catch (error) {
      if (error instanceof HttpError) sendJson(response, error.status, { error: error.message });
      else {
        this.parts.logger.error({ err: error, url: request.url }, 'admin request failed');
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
        else response.destroy();
      }
    }
  }

  private async route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { parts } = this;
    const path = url.pathname;
    if (path === '/healthz') return sendJson(response, 200, { status: 'alive' });
    if (path === '/readyz') {
      const ready = parts.ready();
      return sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not accepting' });
    }
    const file = request.method === 'GET' ? dashboardFile(path) : undefined;
    if (file !== undefined) return this.sendFile(response, file);
    if (path !== '/metrics' && !path.startsWith('/api/')) throw new HttpError(404, `no route ${path}`);
    if (!parts.auth.allows(request)) {
      parts.authFailed();
      response.setHeader('www-authenticate', 'Bearer realm="fastport-admin"');
      throw new HttpError(401, 'a valid bearer token is required');
    }
    if (path === '/metrics') {
      this.expect(request, 'GET');
      return sendText(response, 200, 'text/plain; version=0.0.4; charset=utf-8', await parts.metrics());
    }
    const kick = KICK_PATH.exec(path);
    const route = kick ? this.post((body) => parts.api.kick(kick[1], body)) : this.apiRoutes[path];
    if (route === undefined) throw new HttpError(404, `no route ${path}`);
    sendJson(response, 200, await route(request, url, []));
  }

  private readonly apiRoutes: Record<string, Route> = {
    '/api/status': this.get(() => this.parts.api.status()),
    '/api/sessions': this.get((url) => this.parts.api.sessions(pageOf(url.searchParams))),
    '/api/rooms': this.get((url) => this.parts.api.rooms(pageOf(url.searchParams))),
    '/api/history': this.get((url) => this.parts.api.history(Number(url.searchParams.get('since')) || 0)),
    '/api/notice': this.post((body) => this.parts.api.notice(body)),
  };

  private get(handle: (url: URL) => unknown): Route {
    return (request, url) => {
      this.expect(request, 'GET');
      return handle(url);
    };
  }

  private post(handle: (body: Record<string, unknown>) => unknown): Route {
    return async (request) => {
      this.expect(request, 'POST');
      return handle(await readJsonObject(request));
    };
  }

  private expect(request: IncomingMessage, method: string): void {
    if (request.method !== method) throw new HttpError(405, `use ${method}`);
  }

  private sendFile(response: ServerResponse, file: { type: string; body: Buffer }): void {
    // The page loads nothing from elsewhere: it works offline and a CDN cannot change it.
    response.setHeader(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
    );
    sendText(response, 200, file.type, file.body);
  }
}
