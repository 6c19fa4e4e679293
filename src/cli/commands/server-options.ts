import { appendFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { AUTH_MODES, SECRET_ENV, type AuthMode } from '../../seed/auth/types.js';
import { DEFAULT_RETRY_POLICY } from '../../seed/backoff.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, positiveInteger, positiveNumber, type ConnectionOptions } from '../../seed/options.js';
import { redactCredentialPatterns } from '../../seed/redact.js';
import { UserError } from '../../util/errors.js';
import { claimInterrupt } from '../interrupt.js';
import type { CliIo, CommandContext } from '../run.js';

/** Options every server command shares. Secrets are files or environment variables only: no option takes one. */
export interface ServerArgs extends CommandContext {
  server: string;
  auth: AuthMode;
  'client-id'?: string;
  'token-url'?: string;
  scope?: string;
  'key-id'?: string;
  'jwks-file'?: string;
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
    .option('key-id', { type: 'string', describe: 'smart-backend: kid of the signing key (default: from --jwks-file, the JWK, else its thumbprint)' })
    .option('jwks-file', { type: 'string', describe: 'smart-backend: the public JWKS registered with the server; the kid of the entry matching the private key is used' })
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
    .option('log', { type: 'string', describe: 'Append the log to this file' })
    .options(SECRET_FLAG_OPTIONS)
    .check((argv) => {
      refuseSecretFlags(argv);
      return true;
    }) as unknown as Argv<T & ServerArgs>;
}

/**
 * Options people reach for to pass a secret on the command line, and where the secret goes instead.
 * Declared (hidden) so that the parser takes their value with them instead of listing it among
 * "unknown arguments"; any use is refused by refuseSecretFlags without echoing the value.
 */
const SECRET_FLAGS: Record<string, string> = {
  'client-secret': `--client-secret-file FILE or $${SECRET_ENV.clientSecret}`,
  secret: `--client-secret-file FILE or $${SECRET_ENV.clientSecret}`,
  token: `--token-file FILE or $${SECRET_ENV.token}`,
  'access-token': `--token-file FILE or $${SECRET_ENV.token}`,
  'bearer-token': `--token-file FILE or $${SECRET_ENV.token}`,
  password: `--basic-file FILE (user:password) or $${SECRET_ENV.basicUser} and $${SECRET_ENV.basicPassword}`,
  basic: `--basic-file FILE (user:password) or $${SECRET_ENV.basicUser} and $${SECRET_ENV.basicPassword}`,
  'private-key': `--private-key-file FILE or $${SECRET_ENV.privateKey}`,
};
const SECRET_FLAG_OPTIONS = Object.fromEntries(Object.keys(SECRET_FLAGS).map((name) => [name, { type: 'string' as const, hidden: true }]));

/** A secret given as an option: one line saying where it goes instead (exit 2); the value is never repeated. */
function refuseSecretFlags(argv: Record<string, unknown>): void {
  for (const [name, instead] of Object.entries(SECRET_FLAGS)) {
    if (argv[name] === undefined) continue;
    throw new UserError(`--${name} is not taken on the command line (it would be visible in the process list and shell history): use ${instead}`);
  }
}

/** --log is appended to during the run (and at its end): a path that cannot be written is told before anything is sent. */
function assertWritable(path: string): void {
  try {
    appendFileSync(path, '');
  } catch (error) {
    throw new UserError(`--log ${path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** A log line sink: redacted, to --log and (with --verbose) stderr. */
export function logger(argv: ServerArgs): (line: string) => void {
  return (line) => {
    const text = `${new Date().toISOString()} ${redactCredentialPatterns(line)}\n`;
    if (argv.log) appendFileSync(argv.log, text);
    if (argv.verbose) argv.io.stderr(text);
  };
}

/**
 * Most requests in flight `--concurrency` takes. Each holds a connection of its own (an undici pool of that many), that
 * is a file descriptor: 1,000,000 would fail on the 1,024 descriptors a process commonly gets, and servers throttle
 * far below 256 (the sandbox answers 16 clients; managed FHIR services publish limits in tens).
 */
export const MAX_CONCURRENCY = 256;

/** --concurrency as a whole number 1..MAX_CONCURRENCY; UserError (one line) otherwise. */
export function concurrencyOption(value: number): number {
  const n = positiveInteger('--concurrency', value)!;
  if (n > MAX_CONCURRENCY) throw new UserError(`--concurrency ${n}: at most ${MAX_CONCURRENCY} requests in flight (each holds a connection of its own)`);
  return n;
}

export function connectionOptions(argv: ServerArgs, signal?: AbortSignal): ConnectionOptions {
  if (argv.log) assertWritable(argv.log);
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
      jwksFile: argv['jwks-file'],
      alg: argv.alg,
      tokenFile: argv['token-file'],
      basicFile: argv['basic-file'],
      clientSecretFile: argv['client-secret-file'],
      clientSecretMethod: argv['client-secret-method'],
      privateKeyFile: argv['private-key-file'],
    },
    concurrency: concurrencyOption(argv.concurrency),
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
 * Ctrl-C (or SIGTERM) stops the work in flight (the checkpoint keeps what was acknowledged) instead of killing
 * the process mid-write. Returns the signal and a function that removes the handler.
 */
export function interruptible(io: CliIo): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  // Claimed (not process.on): bin.ts's fallback would otherwise exit at once. The first signal
  // releases the claim, so that a second one ends the process (one line, exit 130) without waiting.
  const release = claimInterrupt(() => {
    release();
    // On a terminal the progress bar's line is still open: end it first. Piped stderr has no open line.
    io.stderr(`${io.isTty ? '\n' : ''}fhirseed: stopping after the requests in flight…\n`);
    controller.abort(new UserError('interrupted', 130));
  });
  return { signal: controller.signal, release };
}
