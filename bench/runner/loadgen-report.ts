/** The JSON object the native load generator prints (bench/loadgen/main.cpp). */
export interface LatencyUs {
  samples: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LoadgenReport {
  mode: 'echo' | 'broadcast' | 'idle';
  loop: 'closed' | 'open';
  conns: number;
  connected: number;
  sent: number;
  received: number;
  msgs_per_s: number;
  mb_per_s: number;
  latency_us: LatencyUs;
  errors: number;
  connect_errors: number;
  lost_connections: number;
  seq_errors: number;
  verify_errors: number;
  protocol_errors: number;
  outstanding_at_end: number;
  other_frames: number;
  pushes: number;
  /** The run went over WebSocket (`--ws`). */
  websocket: boolean;
  /** CPU the generator used after connecting, % of one core (near 100 x threads: it may be the limit). */
  cpu_percent: number;
}

export function parseLoadgenReport(stdout: string): LoadgenReport {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`loadgen printed no JSON report (stdout: ${stdout.slice(0, 200)})`);
  return JSON.parse(line) as LoadgenReport;
}
