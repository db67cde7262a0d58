/**
 * The encode writer and the command log keep the capacity a 1 MiB message (the default frame limit) needs,
 * so a stream of big messages does not regrow them per message; anything beyond their bound is released.
 */
import { describe, expect, it } from 'vitest';
import { Error as ErrorMessage } from '../../framework/generated/packets';
import { KEEP_WRITER_BYTES, sharedWriterCapacity } from '../../framework/packets/define-packet';
import { CommandLog, KEEP_LOG_BYTES } from '../../framework/transport/command-log';

const MiB = 1024 * 1024;

function errorWith(textBytes: number) {
  return ErrorMessage.create({ message: 'x'.repeat(textBytes) });
}

describe('big message buffers', () => {
  it('the shared encode writer keeps its capacity after 1 MiB messages and drops it above its bound', () => {
    const big = errorWith(MiB - 64);
    const first = ErrorMessage.encode(big);
    const kept = sharedWriterCapacity();
    expect(kept).toBeGreaterThanOrEqual(first.length);
    expect(ErrorMessage.decode(ErrorMessage.encodeTransient!(big)).message).toBe(big.message);
    expect(sharedWriterCapacity()).toBe(kept); // the same buffer, not a regrown one
    ErrorMessage.encode(errorWith(KEEP_WRITER_BYTES + 1));
    expect(sharedWriterCapacity()).toBeLessThanOrEqual(KEEP_WRITER_BYTES);
  });

  it('the command log keeps its capacity after a 1 MiB frame and drops it above its bound', () => {
    const log = new CommandLog();
    log.send(1, 100, 1, new Uint8Array(MiB - 10));
    const grown = log.capacity;
    expect(grown).toBeGreaterThanOrEqual(MiB);
    log.clear();
    expect(log.capacity).toBe(grown);
    log.send(1, 100, 2, new Uint8Array(MiB - 10));
    expect(log.capacity).toBe(grown);
    log.clear();
    log.send(1, 100, 3, new Uint8Array(KEEP_LOG_BYTES));
    log.clear();
    expect(log.capacity).toBeLessThan(grown);
  });
});
