/**
 * The application's session types, given once. Merge into this interface from your own code and every
 * `Session` (handler parameters, `session.authenticate`, `session.user`, `session.state`) is typed by it:
 *
 *   declare module 'fastport' {
 *     interface SessionTypes { user: Player; state: { room?: string } }
 *   }
 *
 * Without a merge, `Session` falls back to `unknown` users and a `Record<string, unknown>` state; an
 * explicit `Session<Player, MyState>` still works where one program hosts several games (the samples).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionTypes {}

/** The user type declared in SessionTypes, else unknown. */
export type AppUser = SessionTypes extends { user: infer U } ? U : unknown;

/** The session state type declared in SessionTypes, else a free record. */
export type AppState = SessionTypes extends { state: infer S extends object } ? S : Record<string, unknown>;
