import { readFileSync } from 'node:fs';
import { UserError } from '../../util/errors.js';
import type { Redactor } from '../redact.js';

export interface SecretSource {
  /** Name of an environment variable holding the secret. */
  env?: string;
  /** Path of a file holding the secret. */
  file?: string;
  /** What the secret is, for error messages ("bearer token"). */
  what: string;
}

/**
 * Reads a secret from a file (preferred when given) or an environment variable, registers it with
 * the redactor, and never names its value in an error. Secrets never come from the command line.
 */
export function readSecret(source: SecretSource, env: NodeJS.ProcessEnv, redactor: Redactor): string {
  let value: string | undefined;
  if (source.file) {
    try {
      value = readFileSync(source.file, 'utf8');
    } catch (error) {
      throw new UserError(`cannot read the ${source.what} file ${source.file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    // A trailing newline from `echo > file` is not part of the secret; inner newlines (PEM) are.
    value = value.replace(/\r?\n$/, '');
  } else if (source.env) {
    value = env[source.env];
  }
  if (source.file && !value?.trim()) throw new UserError(`the ${source.what} file ${source.file} is empty`);
  if (!value || !value.trim()) {
    const where = [source.file && `file ${source.file}`, source.env && `environment variable ${source.env}`].filter(Boolean).join(' or ');
    throw new UserError(`no ${source.what}: set ${where || 'a file or environment variable'}`);
  }
  redactor.add(value);
  return value;
}
