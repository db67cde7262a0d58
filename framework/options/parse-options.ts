/** Runs an option schema; its first problem becomes the one OptionError naming the option path and the rule. */
import type { z } from 'zod';
import { OptionError } from '../errors';

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let value = input;
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key];
  return value;
}

/** A union branch's issue says more than "neither" when it went deeper or found an unknown key. */
function informative(issue: z.ZodIssue, unionDepth: number): boolean {
  return issue.path.length > unionDepth || issue.code === 'unrecognized_keys';
}

/** The issue to report: inside a failed union, the most specific issue of a branch that got further. */
function mostSpecific(issue: z.ZodIssue): z.ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const candidates = issue.unionErrors
    .flatMap((error) => error.issues)
    .filter((inner) => informative(inner, issue.path.length));
  if (candidates.length === 0) return issue;
  const deepest = candidates.reduce((best, next) => (next.path.length > best.path.length ? next : best));
  return mostSpecific(deepest);
}

/** `GameServer options: limits.maxSessions must be an integer from 1 to 10 (got -3)`. */
export function describeIssue(owner: string, raw: z.ZodIssue, input: unknown): string {
  const issue = mostSpecific(raw);
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => (path === '' ? key : `${path}.${key}`));
    return `${owner}: unknown option ${keys.join(', ')}`;
  }
  const subject = path === '' ? owner : `${owner}: ${path}`;
  return `${subject} ${issue.message} (got ${shown(valueAt(input, issue.path))})`;
}

/** Validates `value` with `schema`; owner names whose options they are ("GameServer options"). */
export function parseOptions<S extends z.ZodTypeAny>(schema: S, value: unknown, owner: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new OptionError(describeIssue(owner, result.error.issues[0], value));
  return result.data as z.output<S>;
}
