/** The one integer option check shared by server and client (no Node imports: the browser build uses it). */
import { OptionError } from './errors';

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new OptionError(`${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  return value;
}
