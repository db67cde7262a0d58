/**
 * Building blocks of every FastPort option schema (zod; no Node imports: the browser client uses them).
 * Each rule's message is the rule alone ("must be an integer from 1 to 65535"); parseOptions adds the
 * option's path and the value it got.
 */
import { z } from 'zod';

/** setTimeout's (and a signed 32-bit) limit. */
export const MAX_TIMER_MS = 2_147_483_647;

/** One message for every way a value can break a rule (wrong type, missing, out of range). */
function withMessage(message: string) {
  return { invalid_type_error: message, required_error: message };
}

export function integer(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z.number(withMessage(message)).int({ message }).min(min, { message }).max(max, { message });
}

/** A timer in ms: from min to setTimeout's limit. */
export function milliseconds(min = 0) {
  return integer(min, MAX_TIMER_MS);
}

export function tcpPort(min = 0) {
  return integer(min, 65535);
}

export function powerOfTwo(max: number) {
  return integer(1, max).refine((value) => (value & (value - 1)) === 0, {
    message: `must be a power of two from 1 to ${max}`,
  });
}

export function flag() {
  return z.boolean(withMessage('must be a boolean'));
}

export function nonEmptyString() {
  const message = 'must be a non-empty string';
  return z.string(withMessage(message)).min(1, { message });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const message = `must be one of ${values.join(', ')}`;
  return z.enum(values, { errorMap: () => ({ message }) });
}

/** A value zod cannot describe (a class instance, a callback), checked by a predicate. */
export function satisfying<T>(check: (value: unknown) => boolean, rule: string) {
  return z.custom<T>(check, { message: `must be ${rule}` });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any callback shape; its own type says more
export function callback<T extends (...args: any[]) => unknown>(rule = 'a function') {
  return satisfying<T>((value) => typeof value === 'function', rule);
}

/** An options object: unknown (misspelt) keys are rejected, not ignored. */
export function options<Shape extends z.ZodRawShape>(shape: Shape, rule = 'must be an object') {
  return z.object(shape, withMessage(rule)).strict();
}

/** Either of two schemas; when both fail, the union's own rule unless one branch went deeper (see parseOptions). */
export function either<A extends z.ZodTypeAny, B extends z.ZodTypeAny>(a: A, b: B, rule: string) {
  return z.union([a, b], {
    errorMap: (issue, ctx) => ({ message: issue.code === 'invalid_union' ? rule : ctx.defaultError }),
  });
}

type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
/** The same keys and both directions assignable: a schema's input type is the documented options interface. */
export type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? SameKeys<A, B> : false) : false;
export function assertSameShape<T extends true>(): T | undefined {
  return undefined;
}
