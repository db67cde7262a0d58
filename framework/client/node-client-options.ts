/** The Node GameClient's options: the core options plus its transport choice (TCP or WebSocket `url`). */
import { z } from 'zod';
import { assertSameShape, options, type SameShape } from '../options/rules';
import { engineSchema, transportInstanceSchema } from '../transport/options';
import type { EngineChoice, Transport } from '../transport/transport';
import { clientCoreOptionsShape, webSocketUrlSchema, type GameClientCoreOptions } from './client-options';

export interface GameClientOptions extends Partial<GameClientCoreOptions> {
  /** A transport to connect through (may be shared by many clients); closing a client does not shut it down. */
  transport?: Transport;
  /** Engine for a transport of the client's own (default 'node'); not with `transport`. */
  engine?: EngineChoice;
  /** ws://host:port/path: WebSocket instead of TCP (host and port are taken from it). */
  url?: string;
}

function clash(ctx: z.RefinementCtx, key: string, message: string): void {
  ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message });
}

export const nodeClientOptionsSchema = options({
  ...clientCoreOptionsShape,
  port: clientCoreOptionsShape.port.optional(),
  transport: transportInstanceSchema.optional(),
  engine: engineSchema.optional(),
  url: webSocketUrlSchema.optional(),
}).superRefine((client, ctx) => {
  if (client.transport !== undefined && client.engine !== undefined)
    clash(ctx, 'engine', 'cannot be combined with transport (give either)');
  if (client.url === undefined) {
    if (client.port === undefined) clash(ctx, 'port', 'must be an integer from 1 to 65535');
    return;
  }
  for (const key of ['transport', 'engine', 'host', 'port'] as const)
    if (client[key] !== undefined)
      clash(ctx, key, 'cannot be combined with url (WebSocket: the URL says where)');
});

assertSameShape<SameShape<z.input<typeof nodeClientOptionsSchema>, GameClientOptions>>();
