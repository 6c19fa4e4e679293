import { UserError } from '../util/errors.js';
import type { AuthOptions } from './auth/types.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import type { SeedMode } from './send.js';

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

/** The server base URL, checked: http(s), no credentials in it, no query; trailing slashes dropped. */
export function normalizeServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`--server ${JSON.stringify(text.slice(0, 200))}: not a URL${schemeHint(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`--server: expected an http or https URL, not ${url.protocol}${schemeHint(text)}`);
  // Credentials in a URL end up in shell history and logs: refuse them, and do not echo them.
  if (url.username || url.password) throw new UserError('--server must not hold credentials; see --auth for env/file secrets');
  if (url.search || url.hash) throw new UserError('--server: give the FHIR base URL without a query or fragment');
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

/** Anything but this machine needs an explicit --production: the seeder writes, purge deletes. */
export function assertServerAllowed(server: string, production: boolean, verb: string): void {
  if (!production && !isLocalServer(server)) {
    throw new UserError(`${server} is not on this machine: ${verb} it only with --production`);
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
