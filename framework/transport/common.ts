/** Argument checks and helpers shared by the transport implementations. */
import { closeReasonCode, type CloseReason } from './close-reason';
import type { PayloadEncoder, SessionId, Transport, TransportHandler } from './transport';

/** Handler in place until setHandler: drops everything. */
export const NO_HANDLER: TransportHandler = {
  onOpen: () => undefined,
  onFrame: () => undefined,
  onWritable: () => undefined,
  onClose: () => undefined,
};

/** A throwing handler must not break the transport's bookkeeping: report and go on. */
export function reportHandlerError(err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(`fastport transport: a handler threw: ${text}`);
}

function checkHost(host: unknown): void {
  if (typeof host !== 'string' || host.length === 0 || host.length > 255) {
    throw new TypeError(`host must be a non-empty string, got ${JSON.stringify(host)}`);
  }
}

function checkPort(name: string, port: unknown, min: number): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < min || port > 65535) {
    throw new RangeError(`${name} must be an integer between ${min} and 65535, got ${String(port)}`);
  }
}

export function checkListenArgs(host: unknown, port: unknown): void {
  checkHost(host);
  checkPort('port', port, 0);
}

export function checkConnectArgs(host: unknown, port: unknown, timeoutMs: unknown): void {
  checkHost(host);
  checkPort('port', port, 1);
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > 2_147_483_647
  ) {
    throw new RangeError(`timeoutMs must be an integer between 1 and 2147483647, got ${String(timeoutMs)}`);
  }
}

export function checkSessionId(session: unknown): void {
  if (typeof session !== 'number' || !Number.isInteger(session) || session < 1 || session > 0xffffffff) {
    throw new RangeError(`session must be an integer between 1 and 4294967295, got ${String(session)}`);
  }
}

/** The reason's code; throws for a name that is not a close reason. */
export function closeCodeOf(reason: CloseReason): number {
  const code = closeReasonCode(reason);
  if (code <= 0) throw new RangeError(`unknown close reason ${JSON.stringify(reason)}`);
  return code;
}

/** Transport.sendEncoded for a transport that does not encode in place: encode, then send() or sendParts(). */
export function sendEncodedByCopy<T>(
  transport: Pick<Transport, 'send' | 'sendParts'>,
  session: SessionId,
  msgId: number,
  seq: number,
  encoder: PayloadEncoder<T>,
  message: T,
): void {
  const encoded = encoder.encodeForSend(message);
  if (encoded instanceof Uint8Array) transport.send(session, msgId, seq, encoded);
  else transport.sendParts(session, msgId, seq, encoded);
}
