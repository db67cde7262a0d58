import { PayloadError, type MessageType, type RequestType } from '../../../framework/protocol/message-type';

/** Test doubles of generated packet constants: JSON-encoded, same MessageType contract. */
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function base<T extends object>(id: number, name: string, defaults: T) {
  return {
    id,
    name,
    encode: (message: T): Uint8Array => encoder.encode(JSON.stringify(message)),
    decode: (bytes: Uint8Array): T => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(bytes));
      } catch (error) {
        throw new PayloadError(name, (error as Error).message);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new PayloadError(name, 'not a JSON object');
      return { ...defaults, ...(parsed as Partial<T>) };
    },
    create: (partial?: unknown): T => ({ ...defaults, ...(partial as Partial<T>) }),
  };
}

export function jsonMessage<T extends object>(
  id: number,
  name: string,
  defaults: T,
  kind: 'message' | 'response' = 'message',
): MessageType<T> {
  return { ...base(id, name, defaults), kind };
}

export function jsonRequest<Req extends object, Res>(
  id: number,
  name: string,
  defaults: Req,
  response: MessageType<Res>,
): RequestType<Req, Res> {
  return { ...base(id, name, defaults), kind: 'request', response };
}
