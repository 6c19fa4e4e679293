/**
 * A mistake of the user's (bad profile, bad option, unreachable server): reported as one line,
 * never with a stack trace. `exitCode` is what the CLI exits with.
 */
export class UserError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A profile file problem, located by file, line:column and field path. */
export class ProfileError extends UserError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly field: string;

  constructor(file: string, line: number, column: number, field: string, problem: string) {
    super(`${file}:${line}:${column}: ${field || '(root)'}: ${problem}`, 2);
    this.name = 'ProfileError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.field = field;
  }
}

/**
 * The user stopped the run (SIGINT/SIGTERM): reported as one line, exit code 130. Thrown by the work
 * loop when its AbortSignal fires, after it has cleaned up what it had half written.
 */
export class Interrupted extends UserError {
  constructor(message = 'interrupted') {
    super(message, 130);
    this.name = 'Interrupted';
  }
}
