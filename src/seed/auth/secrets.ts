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
  /** The option that names a file holding it (`--token-file`), offered when neither is given. */
  flag?: string;
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
    // No file given (a given file that is empty was told above): the ways to give it.
    const ways = [source.flag && `give ${source.flag} FILE`, source.env && `set environment variable ${source.env}`].filter(Boolean).join(' or ');
    throw new UserError(`no ${source.what}: ${ways || 'give a file or set an environment variable'}`);
  }
  redactor.add(value);
  return value;
}
