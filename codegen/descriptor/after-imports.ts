/** Inserts `declaration` lines after a generated file's last import; returns the lines and where they end. */
function insertAfterImports(
  content: string,
  declaration: readonly string[],
): { lines: string[]; end: number } {
  const lines = content.split('\n');
  let lastImport = -1;
  lines.forEach((line, i) => {
    if (line.startsWith('import ')) lastImport = i;
  });
  lines.splice(lastImport + 1, 0, ...declaration);
  return { lines, end: lastImport + 1 + declaration.length };
}

/** Replaces `from` by `to` in every line at or after `start`. */
function replaceFrom(lines: readonly string[], start: number, from: string, to: string): string {
  return lines.map((line, i) => (i < start ? line : line.split(from).join(to))).join('\n');
}

/**
 * Rewrites every `from` in a generated file's code to `to`, which `declaration` (put after the last import)
 * defines; a file without `from` is returned unchanged.
 */
export function replaceWithDeclared(
  content: string,
  from: string,
  to: string,
  declaration: readonly string[],
): string {
  if (!content.includes(from)) return content;
  const { lines, end } = insertAfterImports(content, declaration);
  return replaceFrom(lines, end, from, to);
}
