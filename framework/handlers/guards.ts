import { ErrorCodes, GameError } from '../errors';
import { RateLimiter } from '../server/rate-limiter';
import type { Session } from '../server/session';
import type { HandlerContext, HandlerInfo, Middleware } from './middleware';

/** What the login gate throws for an anonymous session at a handler not marked `public`. */
export function loginRequired(handler: HandlerInfo): GameError {
  return new GameError(ErrorCodes.UNAUTHENTICATED, `${handler.type.name} needs an authenticated session`);
}

/**
 * The built-in login gate: handlers not marked `public` answer anonymous sessions with UNAUTHENTICATED.
 * Every GameServer applies it first, before any middleware, as a flag check of its own (no middleware
 * call per message); this middleware form is for chains built elsewhere.
 */
export const requireAuthentication: Middleware = {
  appliesTo: (handler) => handler.options.public !== true,
  handle: (context, next) => {
    if (!context.session.authenticated) throw loginRequired(context.handler);
    return next();
  },
};

/**
 * Role check for handlers with `roles`: the user needs one of them (FORBIDDEN otherwise).
 * `rolesOf` reads them from your user type.
 */
export function roles<User>(rolesOf: (user: User) => readonly string[]): Middleware {
  return {
    appliesTo: (handler) => handler.options.roles !== undefined,
    handle: (context, next) => {
      const needed = context.handler.options.roles ?? [];
      const user = context.session.user as User | undefined;
      const held = user === undefined ? [] : rolesOf(user);
      if (!needed.some((role) => held.includes(role)))
        throw new GameError(
          ErrorCodes.FORBIDDEN,
          `${context.handler.type.name} needs the role ${needed.join(' or ')}`,
        );
      return next();
    },
  };
}

/**
 * Per-handler rate limit for handlers with `rateLimit: { perSecond, burst }`: over it, the message gets
 * Error RATE_LIMITED and the session goes on (the server-wide `limits.rateLimit` closes instead).
 */
export function rateLimit(): Middleware {
  const buckets = new WeakMap<HandlerInfo, WeakMap<Session<unknown, object>, RateLimiter>>();
  return {
    appliesTo: (handler) => handler.options.rateLimit !== undefined,
    handle: (context, next) => {
      const { perSecond, burst } = context.handler.options.rateLimit!;
      let perSession = buckets.get(context.handler);
      if (perSession === undefined) buckets.set(context.handler, (perSession = new WeakMap()));
      const now = Date.now();
      let bucket = perSession.get(context.session);
      if (bucket === undefined)
        perSession.set(context.session, (bucket = new RateLimiter(perSecond, burst, now)));
      if (!bucket.take(now))
        throw new GameError(
          ErrorCodes.RATE_LIMITED,
          `${context.handler.type.name}: more than ${perSecond} per second`,
        );
      return next();
    },
  };
}

/** Calls `report` after every handler with its duration in ms and the error it ended with, if any. */
export function timing(report: (context: HandlerContext, ms: number, error?: unknown) => void): Middleware {
  return {
    handle: (context, next) => {
      const started = performance.now();
      let result: unknown;
      try {
        result = next();
      } catch (error) {
        report(context, performance.now() - started, error);
        throw error;
      }
      if (result instanceof Promise)
        return result.then(
          (value: unknown) => {
            report(context, performance.now() - started);
            return value;
          },
          (error: unknown) => {
            report(context, performance.now() - started, error);
            throw error;
          },
        );
      report(context, performance.now() - started);
      return result;
    },
  };
}
