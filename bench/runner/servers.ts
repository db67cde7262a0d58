/**
 * The servers the suite measures. Adding a server is one entry here. A row whose files are missing is
 * reported "not available" instead of failing the run.
 */
import * as path from 'node:path';
import { BEFORE_ADDON, BEFORE_TREE, DIST, REFERENCE_BIN } from './paths';

/** raw: the payload is echoed as is; framework: EchoReq (100) -> EchoRes (101), payload in field 1, Hello first. */
export type Protocol = 'raw' | 'framework';
/** echo: scenarios a-e; broadcast: scenario f (a frame from one member reaches every member). */
export type ServerKind = 'echo' | 'broadcast';

export interface ServerRow {
  name: string;
  label: string;
  kind: ServerKind;
  protocol: Protocol;
  /** Paths that must exist; the first missing one makes the row "not available". */
  requires: string[];
  /** Why the row cannot run yet even if its files exist (e.g. message ids not settled). */
  pending?: string;
  /** Load generator options appended after the protocol's (later flags win), e.g. a chat row's ids. */
  loadgenArgs?: string[];
  /** Driven over WebSocket: the load generator upgrades on this path (`--ws`) before the Hello. */
  wsPath?: string;
  /** Runs only in scenarios that name it (the WebSocket and resume comparisons), not in every one of its kind. */
  listedOnly?: boolean;
  /** argv of the server for a port (argv[0] is the executable). */
  command(port: number): string[];
}

const node = process.execPath;
const benchServer = (file: string): string => path.join(DIST, 'bench', 'servers', file);
const rawSample = path.join(DIST, 'samples', 'echo', 'raw-server.js');
const frameworkSample = path.join(DIST, 'samples', 'echo', 'server.js');
const chatSample = path.join(DIST, 'samples', 'chat', 'server.js');

/** The same server as `row`, driven over WebSocket on its port (every Linux engine serves both). */
function overWebSocket(row: ServerRow, name: string, label: string): ServerRow {
  return { ...row, name, label, wsPath: '/', listedOnly: true };
}

function nodeRow(
  name: string,
  label: string,
  protocol: Protocol,
  script: string,
  args: string[] = [],
): ServerRow {
  return {
    name,
    label,
    kind: 'echo',
    protocol,
    requires: [script],
    command: (port) => [node, script, '--port', String(port), ...args],
  };
}

/** A node-run row of `script` on one engine. */
const onEngine = (name: string, label: string, protocol: Protocol, script: string, engine: string) =>
  nodeRow(name, label, protocol, script, ['--engine', engine]);
const frameworkEpoll = onEngine(
  'fastport-epoll',
  'FastPort framework, epoll',
  'framework',
  frameworkSample,
  'epoll',
);
const frameworkUring = onEngine(
  'fastport-uring',
  'FastPort framework, uring',
  'framework',
  frameworkSample,
  'uring',
);
const rawEpoll = onEngine('fastport-raw-epoll', 'FastPort raw, epoll', 'raw', rawSample, 'epoll');
const rawUring = onEngine('fastport-raw-uring', 'FastPort raw, uring', 'raw', rawSample, 'uring');

const chat: ServerRow = {
  name: 'fastport-chat',
  label: 'FastPort chat sample',
  kind: 'broadcast',
  protocol: 'framework',
  requires: [chatSample],
  // SayReq 210 -> ChatMessage push 220; the join frame is a LoginReq with room "bench" (samples/chat/proto).
  loadgenArgs: ['--msg-id', '210', '--expect-id', '220', '--join-hex', '0000001100c87ffffffe1a0562656e6368'],
  command: (port) => [node, chatSample, '--port', String(port)],
};

/**
 * The same row on the addon of another commit (scripts/bench/build-before.sh builds it into build-before/),
 * loaded through FASTPORT_ADDON: before and after side by side in one invocation.
 */
function beforeRow(row: ServerRow): ServerRow {
  return {
    ...row,
    name: `${row.name}-before`,
    label: `${row.label} (build-before addon)`,
    requires: [...row.requires, BEFORE_ADDON],
    // env(1) execs the server: the runner still signals the server process itself.
    command: (port) => ['/usr/bin/env', `FASTPORT_ADDON=${BEFORE_ADDON}`, ...row.command(port)],
  };
}

/**
 * The same row run from another built checkout `tree` (FASTPORT_BEFORE_TREE, e.g. a clone of main with its
 * own dist/ and addon): its TypeScript and its addon both, for before/after of a change that touches both.
 */
export function beforeTreeRow(row: ServerRow, tree: string | undefined): ServerRow {
  const relocate = (file: string): string =>
    file.startsWith(DIST) ? path.join(tree ?? '', 'dist', path.relative(DIST, file)) : file;
  return {
    ...row,
    name: `${row.name}-before-tree`,
    label: `${row.label} (FASTPORT_BEFORE_TREE)`,
    listedOnly: true,
    requires: row.requires.map(relocate),
    pending: tree === undefined ? 'FASTPORT_BEFORE_TREE is not set' : row.pending,
    command: (port) => row.command(port).map(relocate),
  };
}

const ROWS: ServerRow[] = [
  {
    name: 'reference',
    label: 'C++ epoll reference',
    kind: 'echo',
    protocol: 'raw',
    requires: [REFERENCE_BIN],
    command: (port) => [REFERENCE_BIN, '--port', String(port)],
  },
  nodeRow('node-idiomatic', 'node:net, write per frame', 'raw', benchServer('node-idiomatic.js')),
  nodeRow('node-tuned', 'node:net, write per chunk', 'raw', benchServer('node-tuned.js')),
  nodeRow('node-fullpath', 'node:net full path (protobufjs)', 'framework', benchServer('node-fullpath.js')),
  rawEpoll,
  rawUring,
  nodeRow('fastport-raw-epoll-io1', 'FastPort raw, epoll, 1 I/O thread', 'raw', rawSample, [
    '--engine',
    'epoll',
    '--io-threads',
    '1',
  ]),
  frameworkEpoll,
  nodeRow(
    'fastport-epoll-admin',
    'FastPort framework, epoll, admin listener scraped 1/s',
    'framework',
    benchServer('fastport-admin-scraped.js'),
    ['--engine', 'epoll'],
  ),
  // The listener on but never scraped: with fastport-epoll-admin, splits its cost into the scrapes and the rest.
  {
    ...nodeRow(
      'fastport-epoll-admin-idle',
      'FastPort framework, epoll, admin listener on, not scraped',
      'framework',
      benchServer('fastport-admin-scraped.js'),
      ['--engine', 'epoll', '--scrape-ms', '0'],
    ),
    listedOnly: true,
  },
  frameworkUring,
  nodeRow('fastport-node', 'FastPort framework, node transport', 'framework', frameworkSample, [
    '--engine',
    'node',
  ]),
  {
    name: 'reference-broadcast',
    label: 'C++ epoll reference, broadcast',
    kind: 'broadcast',
    protocol: 'raw',
    requires: [REFERENCE_BIN],
    command: (port) => [REFERENCE_BIN, '--port', String(port), '--broadcast'],
  },
  chat,
  // Issue 17: the framework echo with session resume off, next to fastport-epoll (resume on, the default).
  {
    ...nodeRow(
      'fastport-epoll-noresume',
      'FastPort framework, epoll, resume off',
      'framework',
      frameworkSample,
      ['--engine', 'epoll', '--resume-window-ms', '0'],
    ),
    listedOnly: true,
  },
  // WebSocket: hand-written `ws` baselines and the same FastPort processes driven over WebSocket.
  {
    ...nodeRow(
      'ws-fullpath',
      'ws full path (protobufjs, bufferutil)',
      'framework',
      benchServer('ws-fullpath.js'),
    ),
    wsPath: '/',
    listedOnly: true,
  },
  overWebSocket(frameworkEpoll, 'fastport-epoll-ws', 'FastPort framework, epoll, WebSocket'),
  overWebSocket(frameworkUring, 'fastport-uring-ws', 'FastPort framework, uring, WebSocket'),
  overWebSocket(rawEpoll, 'fastport-raw-epoll-ws', 'FastPort raw, epoll, WebSocket'),
  overWebSocket(rawUring, 'fastport-raw-uring-ws', 'FastPort raw, uring, WebSocket'),
  {
    ...chat,
    name: 'ws-broadcast',
    label: 'ws room server (chat messages)',
    requires: [benchServer('ws-broadcast.js')],
    wsPath: '/',
    listedOnly: true,
    command: (port) => [node, benchServer('ws-broadcast.js'), '--port', String(port)],
  },
  overWebSocket(chat, 'fastport-chat-ws', 'FastPort chat sample, WebSocket'),
];

/** The FastPort engine rows that have `-before` and `-before-tree` twins. */
const ENGINE_ROWS = ROWS.filter((row) => /^fastport-(raw-)?(epoll|uring)$/.test(row.name));

/** Every row, plus a `-before` and a `-before-tree` twin of each FastPort engine row (see beforeRow). */
export const SERVERS: ServerRow[] = [
  ...ROWS,
  ...ENGINE_ROWS.map(beforeRow),
  ...ENGINE_ROWS.map((row) => beforeTreeRow(row, BEFORE_TREE)),
];

/** The rows a scenario runs: the ones it names, else every row of its kind that is not listedOnly. */
export function serversFor(kind: ServerKind, names: readonly string[] | undefined): ServerRow[] {
  if (names !== undefined) return SERVERS.filter((row) => names.includes(row.name));
  return SERVERS.filter((row) => row.kind === kind && row.listedOnly !== true);
}

/** The reason a row cannot run here, or undefined when it can. */
export function unavailableReason(row: ServerRow, exists: (file: string) => boolean): string | undefined {
  const missing = row.requires.find((file) => !exists(file));
  if (missing !== undefined) return `missing ${missing}`;
  return row.pending;
}

/** The baselines every ratio is taken against. */
export const FULL_PATH_BASELINE = 'node-fullpath';
export const REFERENCE_BASELINE = 'reference';
