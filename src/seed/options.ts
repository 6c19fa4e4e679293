import { UserError } from '../util/errors.js';
import { AUTH_MODES, type AuthMode, type AuthOptions } from './auth/types.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import { SEED_MODES, type SeedMode } from './send.js';
import { shownValue } from '../util/whole-number.js';

/** How to reach a server: shared by seed, ping and purge. */
export interface ConnectionOptions {
  server: string;
  auth: AuthOptions;
  /** Requests in flight at most. */
  concurrency: number;
  /** Requests per second at most (undefined: no cap). */
  requestsPerSecond?: number;
  /** Per request attempt. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Required for any server that is not on this machine. */
  production: boolean;
  /** Where secrets are read from besides files (process.env in the CLI). */
  env: NodeJS.ProcessEnv;
  /** Aborts the work in flight (Ctrl-C). */
  signal?: AbortSignal;
  /** A line for the log (already redacted by the caller's redactor). */
  log?: (line: string) => void;
  random?: () => number;
}

export interface SeedOptions extends ConnectionOptions {
  dir: string;
  mode: SeedMode;
  /** Entries per bundle; default: what the server declares, else DEFAULT_BUNDLE_SIZE. */
  bundleSize?: number;
  dryRun: boolean;
  resume: boolean;
  retryDeadLetter: boolean;
  verify: boolean;
  /** Checkpoint and dead-letter files; default DIR/seed-state. */
  stateDir?: string;
  onProgress?: (done: number, total: number) => void;
  /** Told a one-line note for the user (no trailing newline), e.g. that an unfinished checkpoint is set aside. */
  onNote?: (line: string) => void;
}

/**
 * How seed's (and purge's) errors name what the caller gave: a library caller's properties (SEED_LIBRARY_NAMES, the
 * default of seed and purge: `options.server "x": not a URL`) or the CLI's options (SEED_CLI_NAMES, which the seed and
 * purge commands pass: `--server "x": not a URL`). Only the names differ: the checks are the same. `production` is the
 * phrase that allows a server elsewhere (`seed it only with --production`).
 */
export interface SeedOptionNames {
  server: string;
  production: string;
  stateDir: string;
  bundleSize: string;
  concurrency: string;
  timeoutMs: string;
  requestsPerSecond: string;
  mode: string;
  authMode: string;
}

export const SEED_LIBRARY_NAMES: SeedOptionNames = {
  server: 'options.server', production: 'options.production: true', stateDir: 'options.stateDir', bundleSize: 'options.bundleSize',
  concurrency: 'options.concurrency', timeoutMs: 'options.timeoutMs', requestsPerSecond: 'options.requestsPerSecond', mode: 'options.mode',
  authMode: 'options.auth.mode',
};
export const SEED_CLI_NAMES: SeedOptionNames = {
  server: '--server', production: '--production', stateDir: '--state-dir', bundleSize: '--bundle-size',
  concurrency: '--concurrency', timeoutMs: '--timeout', requestsPerSecond: '--rps', mode: '--mode', authMode: '--auth',
};

/**
 * What of a library caller's seed options the CLI's option parsing checks for the CLI, with the same checks
 * (positiveInteger, positiveNumber, the modes its `choices` offer): `bundleSize` and `concurrency` whole numbers ≥ 1,
 * `timeoutMs` and `requestsPerSecond` numbers > 0, `mode` one of SEED_MODES, `auth.mode` one of AUTH_MODES. Throws one
 * UserError named as `names` says (`options.bundleSize -1: expected a whole number ≥ 1`); without it a bad number was
 * a RangeError of the semaphore or the planner, or retries until the deadline, and an unknown auth mode a TypeError.
 */
export function checkSeedOptions(
  options: Partial<Pick<SeedOptions, 'bundleSize' | 'concurrency' | 'timeoutMs' | 'requestsPerSecond' | 'mode' | 'auth'>>,
  names: SeedOptionNames,
): void {
  positiveInteger(names.bundleSize, options.bundleSize);
  positiveInteger(names.concurrency, options.concurrency);
  positiveNumber(names.timeoutMs, options.timeoutMs);
  positiveNumber(names.requestsPerSecond, options.requestsPerSecond);
  if (!SEED_MODES.includes(options.mode as SeedMode)) throw new UserError(`${names.mode} ${shownValue(options.mode)}: expected one of ${SEED_MODES.join(', ')}`);
  const authMode = (options.auth as { mode?: unknown } | undefined)?.mode;
  if (!AUTH_MODES.includes(authMode as AuthMode)) throw new UserError(`${names.authMode} ${authMode === undefined ? 'missing' : shownValue(authMode)}: expected one of ${AUTH_MODES.join(', ')}`);
}

export const DEFAULT_BUNDLE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_TIMEOUT_MS = 60_000;

export function defaultConnection(server: string, overrides: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    server,
    auth: { mode: 'none' },
    concurrency: DEFAULT_CONCURRENCY,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    retry: DEFAULT_RETRY_POLICY,
    production: false,
    env: process.env,
    ...overrides,
  };
}

/**
 * The server base URL, checked: http(s), no credentials in it, no query; trailing slashes dropped. Throws UserError
 * naming `what` (the CLI's `--server`, the library's `options.server`).
 */
export function normalizeServerUrl(text: string, what = SEED_CLI_NAMES.server): string {
  if (typeof text !== 'string') throw new UserError(`${what} ${text === undefined ? 'missing' : String(text)}: expected the FHIR base URL (http://HOST:PORT/fhir)`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${what} ${JSON.stringify(text.slice(0, 200))}: not a URL${schemeHint(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`${what}: expected an http or https URL, not ${url.protocol}${schemeHint(text)}`);
  // Credentials in a URL end up in shell history and logs: refuse them, and do not echo them.
  if (url.username || url.password) throw new UserError(`${what} must not hold credentials; see ${what === SEED_CLI_NAMES.server ? '--auth' : 'options.auth'} for env/file secrets`);
  if (url.search || url.hash) throw new UserError(`${what}: give the FHIR base URL without a query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** ` (did you mean http://HOST:PORT/fhir?)` for a URL given without its scheme (`127.0.0.1:8281/fhir`, `localhost:8080/fhir`); else nothing. */
function schemeHint(text: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /\s/.test(text)) return '';
  try {
    const guess = new URL(`http://${text}`);
    return guess.hostname ? ` (did you mean http://${text.slice(0, 200)}?)` : '';
  } catch {
    return '';
  }
}

export function isLocalServer(server: string): boolean {
  const host = new URL(server).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/**
 * Anything but this machine needs an explicit --production (`allow`; the library's `options.production: true`): the
 * seeder writes, purge deletes.
 */
export function assertServerAllowed(server: string, production: boolean, verb: string, allow = SEED_CLI_NAMES.production): void {
  if (!production && !isLocalServer(server)) {
    throw new UserError(`${server} is not on this machine: ${verb} it only with ${allow}`);
  }
}

export function positiveInteger(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new UserError(`${name} ${value}: expected a whole number ≥ 1`);
  return value;
}

export function positiveNumber(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) throw new UserError(`${name} ${value}: expected a number > 0`);
  return value;
}
