import { appendFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { AUTH_MODES, SECRET_ENV, type AuthMode } from '../../seed/auth/types.js';
import { DEFAULT_RETRY_POLICY } from '../../seed/backoff.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, positiveInteger, positiveNumber, type ConnectionOptions } from '../../seed/options.js';
import { redactCredentialPatterns } from '../../seed/redact.js';
import { UserError } from '../../util/errors.js';
import type { CliIo, CommandContext } from '../run.js';

/** Options every server command shares. Secrets are files or environment variables only: no option takes one. */
export interface ServerArgs extends CommandContext {
  server: string;
  auth: AuthMode;
  'client-id'?: string;
  'token-url'?: string;
  scope?: string;
  'key-id'?: string;
  alg?: 'RS384' | 'ES384';
  'token-file'?: string;
  'basic-file'?: string;
  'client-secret-file'?: string;
  'client-secret-method': 'basic' | 'post';
  'private-key-file'?: string;
  concurrency: number;
  rps?: number;
  timeout: number;
  'max-retries': number;
  production: boolean;
  verbose: boolean;
  log?: string;
}

export function withServerOptions<T>(yargs: Argv<T>): Argv<T & ServerArgs> {
  return yargs
    .option('server', { type: 'string', demandOption: true, describe: 'FHIR base URL' })
    .option('auth', { choices: AUTH_MODES, default: 'none' as AuthMode, describe: 'How to authenticate' })
    .option('client-id', { type: 'string', describe: 'OAuth client id (client-credentials, smart-backend)' })
    .option('token-url', { type: 'string', describe: 'Token endpoint (default: from .well-known/smart-configuration)' })
    .option('scope', { type: 'string', describe: 'Scopes to request (default "system/*.read system/*.write")' })
    .option('key-id', { type: 'string', describe: 'smart-backend: kid of the signing key' })
    .option('alg', { choices: ['RS384', 'ES384'] as const, describe: 'smart-backend: signing algorithm (default from the key)' })
    .option('token-file', { type: 'string', describe: `bearer: file holding the token (else $${SECRET_ENV.token})` })
    .option('basic-file', { type: 'string', describe: `basic: file holding user:password (else $${SECRET_ENV.basicUser}, $${SECRET_ENV.basicPassword})` })
    .option('client-secret-file', { type: 'string', describe: `client-credentials: file holding the secret (else $${SECRET_ENV.clientSecret})` })
    .option('client-secret-method', { choices: ['basic', 'post'] as const, default: 'basic' as const, describe: 'client-credentials: how the secret is sent' })
    .option('private-key-file', { type: 'string', describe: `smart-backend: PEM or JWK private key (else $${SECRET_ENV.privateKey})` })
    .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'Requests in flight at most' })
    .option('rps', { type: 'number', describe: 'Requests per second at most' })
    .option('timeout', { type: 'number', default: DEFAULT_TIMEOUT_MS / 1000, describe: 'Seconds per request attempt' })
    .option('max-retries', { type: 'number', default: DEFAULT_RETRY_POLICY.maxRetries, describe: 'Retries of a failing request (429, 5xx, timeouts, resets)' })
    .option('production', { type: 'boolean', default: false, describe: 'Allow a server that is not on this machine' })
    .option('verbose', { type: 'boolean', default: false, describe: 'Log retries and token refreshes to stderr' })
    .option('log', { type: 'string', describe: 'Append the log to this file' }) as unknown as Argv<T & ServerArgs>;
}

/** A log line sink: redacted, to --log and (with --verbose) stderr. */
export function logger(argv: ServerArgs): (line: string) => void {
  return (line) => {
    const text = `${new Date().toISOString()} ${redactCredentialPatterns(line)}\n`;
    if (argv.log) appendFileSync(argv.log, text);
    if (argv.verbose) argv.io.stderr(text);
  };
}

export function connectionOptions(argv: ServerArgs, signal?: AbortSignal): ConnectionOptions {
  const timeout = positiveNumber('--timeout', argv.timeout)!;
  const maxRetries = argv['max-retries'];
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new UserError(`--max-retries ${maxRetries}: expected a whole number ≥ 0`);
  return {
    server: argv.server,
    auth: {
      mode: argv.auth,
      clientId: argv['client-id'],
      tokenUrl: argv['token-url'],
      scope: argv.scope,
      keyId: argv['key-id'],
      alg: argv.alg,
      tokenFile: argv['token-file'],
      basicFile: argv['basic-file'],
      clientSecretFile: argv['client-secret-file'],
      clientSecretMethod: argv['client-secret-method'],
      privateKeyFile: argv['private-key-file'],
    },
    concurrency: positiveInteger('--concurrency', argv.concurrency)!,
    requestsPerSecond: positiveNumber('--rps', argv.rps),
    timeoutMs: Math.round(timeout * 1000),
    retry: { ...DEFAULT_RETRY_POLICY, maxRetries },
    production: argv.production,
    env: process.env,
    signal,
    log: logger(argv),
  };
}

/**
 * Ctrl-C stops the work in flight (the checkpoint keeps what was acknowledged) instead of killing
 * the process mid-write. Returns the signal and a function that removes the handler.
 */
export function interruptible(io: CliIo): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    io.stderr('\nfhirseed: stopping after the requests in flight…\n');
    controller.abort(new UserError('interrupted', 130));
  };
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSigint) };
}
