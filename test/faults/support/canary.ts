/**
 * A well-behaved client that keeps asking EchoReq while a fault case runs: it proves the other sessions
 * are unaffected (every answer arrives, and within a bound).
 */
import type { GameClient } from '../../../framework/client/game-client';
import { EchoReq } from '../../framework/support/messages';

export interface CanaryReport {
  answered: number;
  failures: string[];
  maxLatencyMs: number;
}

export class Canary {
  private running = true;
  private answered = 0;
  private failures: string[] = [];
  private maxLatencyMs = 0;
  private readonly loop: Promise<void>;

  constructor(
    private readonly client: GameClient,
    private readonly intervalMs = 25,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      try {
        const res = await this.client.request(EchoReq, { text: `c${this.answered}`, delayMs: 0 });
        if (res.text !== `c${this.answered}`) this.failures.push(`wrong echo ${res.text}`);
        this.answered++;
      } catch (error) {
        this.failures.push(String(error));
        return;
      }
      this.maxLatencyMs = Math.max(this.maxLatencyMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  /** Stops after the request in flight and reports. */
  async stop(): Promise<CanaryReport> {
    this.running = false;
    await this.loop;
    return { answered: this.answered, failures: this.failures, maxLatencyMs: this.maxLatencyMs };
  }
}
