/** A problem in the .proto input, reported as `file:line: message` (line is 1-based, 0 when unknown). */
export class ProtoError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
    this.name = 'ProtoError';
  }
}

/** Several ProtoErrors found in one run; the message lists them one per line, sorted. */
export class ProtoErrors extends Error {
  constructor(readonly errors: readonly ProtoError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ProtoErrors';
  }
}
