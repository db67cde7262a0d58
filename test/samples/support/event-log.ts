import type { ChatClient, ChatEvent } from '../../../samples/chat/chat-client';

/** Records a chat client's events; `until` awaits one that matches (no fixed sleeps). */
export class EventLog {
  readonly events: ChatEvent[] = [];
  private readonly waiters: { match: (e: ChatEvent) => boolean; resolve: (e: ChatEvent) => void }[] = [];

  constructor(client: ChatClient) {
    client.onEvent((event) => {
      this.events.push(event);
      for (const waiter of [...this.waiters])
        if (waiter.match(event)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
    });
  }

  /** The first recorded or future event that matches; rejects after timeoutMs. */
  until(match: (e: ChatEvent) => boolean, what: string, timeoutMs = 5000): Promise<ChatEvent> {
    const seen = this.events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event: ${what}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  texts(): string[] {
    return this.events.flatMap((e) => (e.kind === 'message' ? [e.message.text] : []));
  }
}
