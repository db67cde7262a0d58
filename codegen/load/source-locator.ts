/**
 * Finds source lines of messages, their fields and their `option (...)` statements in a .proto file,
 * so that semantic errors (found on protobufjs's tree, which keeps no positions) can name file:line.
 * A small tokenizer: comments and string contents are skipped, braces tracked per message scope.
 */
export interface MessageLines {
  /** Line of `message Name {`. */
  readonly line: number;
  /** Line of each `option (name) = ...;` inside the message body, by option name without parentheses. */
  readonly options: ReadonlyMap<string, number>;
  /** Line of each field (`type name = N`), by field name. */
  readonly fields: ReadonlyMap<string, number>;
}

interface Token {
  readonly text: string;
  readonly line: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      i += 2;
      while (i < source.length && !(source[i] === '*' && source[i + 1] === '/')) {
        if (source[i] === '\n') line++;
        i++;
      }
      i += 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < source.length && source[i] !== c && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      i++;
      tokens.push({ text: source.slice(start, i), line });
    } else if (/[A-Za-z0-9_.]/.test(c)) {
      const start = i;
      while (i < source.length && /[A-Za-z0-9_.+-]/.test(source[i])) i++;
      tokens.push({ text: source.slice(start, i), line });
    } else {
      if (!/\s/.test(c)) tokens.push({ text: c, line });
      i++;
    }
  }
  return tokens;
}

interface Scope {
  readonly fullName: string | null;
  readonly options: Map<string, number>;
  readonly fields: Map<string, number>;
}

/** Lines of every message (by full name without a leading dot, e.g. `game.Outer.Inner`). */
export function locateMessages(source: string, packageName: string): Map<string, MessageLines> {
  const tokens = tokenize(source);
  const found = new Map<string, MessageLines>();
  const stack: Scope[] = [];
  const prefix = () => {
    for (let s = stack.length - 1; s >= 0; s--)
      if (stack[s].fullName !== null) return stack[s].fullName + '.';
    return packageName ? packageName + '.' : '';
  };
  let pendingName: string | null = null;
  let pendingOneof = false;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    const scope = stack.length > 0 ? stack[stack.length - 1] : undefined;
    const isMessage = tok.text === 'message' && tokens[t + 2]?.text === '{';
    const isGroup = tok.text === 'group' && tokens[t + 2]?.text === '=';
    if ((isMessage || isGroup) && /^[A-Za-z_]\w*$/.test(tokens[t + 1]?.text ?? '')) {
      const name = tokens[t + 1].text;
      const fullName = prefix() + name;
      const options = new Map<string, number>();
      const fields = new Map<string, number>();
      found.set(fullName, { line: tok.line, options, fields });
      pendingName = fullName;
      continue;
    }
    if (tok.text === '{' && pendingOneof && scope) {
      stack.push(scope); // a oneof's fields belong to the enclosing message
      pendingOneof = false;
      continue;
    }
    if (tok.text === '{') {
      const lines = pendingName !== null ? found.get(pendingName) : undefined;
      stack.push({
        fullName: pendingName,
        options: (lines?.options as Map<string, number>) ?? new Map(),
        fields: (lines?.fields as Map<string, number>) ?? new Map(),
      });
      pendingName = null;
      continue;
    }
    if (tok.text === '}') {
      stack.pop();
      continue;
    }
    if (tok.text === ';') pendingName = null;
    if (!scope || scope.fullName === null) continue;
    if (tok.text === 'oneof') pendingOneof = true;
    if (tok.text === 'option' && tokens[t + 1]?.text === '(') {
      const name = tokens[t + 2]?.text.replace(/^\./, '');
      if (name && !scope.options.has(name)) scope.options.set(name, tok.line);
      t += 2;
      continue;
    }
    // A field: `<name> = <number>` not preceded by `option`.
    if (tokens[t + 1]?.text === '=' && /^\d/.test(tokens[t + 2]?.text ?? '') && /^[A-Za-z_]/.test(tok.text)) {
      if (!scope.fields.has(tok.text)) scope.fields.set(tok.text, tok.line);
    }
  }
  return found;
}
