import { existsSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SERVE_AUTH_MODES, type AuthOptions } from './auth.js';
import { corsOrigin } from './cors.js';
import { tlsPair } from './tls.js';
import { assertPortFree, LISTEN_CLI_NAMES, type ListenNames } from './listen.js';
import { dataFiles } from './load.js';
import { checkRateLimitOptions } from './rate-limit.js';
import { storeFileOf, type RepositoryOptions } from './store/engine.js';
import { assertStoreKind, lockStoreFile } from './store/open.js';
import { assertDirectoryOption } from '../util/directory-option.js';
import { UserError } from '../util/errors.js';
import { checkWholeNumber, shownValue } from '../util/whole-number.js';
import { parseIg } from '../validate/packages.js';

/**
 * How startServer's errors name what its caller gave (directories, port, host, read workers): a library caller's properties (SERVE_LIBRARY_NAMES,
 * startServer's default) or the CLI's options (SERVE_CLI_NAMES, which serve, start and kits pass). Only the names
 * differ: the checks are the same.
 */
export interface ServeOptionNames extends ListenNames {
  packagesDir: string;
  stateDir: string;
  readWorkers: string;
  /** `validate.igs`, the IGs writes are validated against. */
  validateIgs: string;
  maxBody: string;
  tls: { cert: string; key: string };
  rateLimit: string;
  /** `store`: memory or sqlite (the CLI's `--store` also takes a file: storeOptions). */
  store: string;
  /** `bulkExport.expirySeconds`, serve's `--export-ttl`. */
  exportTtl: string;
  auth: string;
  /** `auth.mode`: serve's `--auth`. */
  authMode: string;
  /** The served directory: startServer's `options.dir` (serve's DIR is its argument: not named). */
  dir?: string;
  /** The SQLite store's file: startServer's `options.storeFile`, serve's `--store`. */
  storeFile: string;
  corsOrigins: string;
}

export const SERVE_LIBRARY_NAMES: ServeOptionNames = {
  packagesDir: 'options.packagesDir', stateDir: 'options.auth.registration.stateDir', port: 'options.port', host: 'options.host', readWorkers: 'options.readWorkers', validateIgs: 'options.validate.igs',
  maxBody: 'options.maxBody', tls: { cert: 'options.tls.cert', key: 'options.tls.key' }, rateLimit: 'options.rateLimit',
  store: 'options.store', exportTtl: 'options.bulkExport.expirySeconds', auth: 'options.auth', corsOrigins: 'options.corsOrigins',
  authMode: 'options.auth.mode', dir: 'options.dir', storeFile: 'options.storeFile',
};
export const SERVE_CLI_NAMES: ServeOptionNames = { packagesDir: '--packages', stateDir: '--state-dir', ...LISTEN_CLI_NAMES, readWorkers: '--read-workers', validateIgs: '--ig',
  maxBody: '--max-body', tls: { cert: '--tls-cert', key: '--tls-key' }, rateLimit: '--rate-limit',
  store: '--store', exportTtl: '--export-ttl', auth: '--auth', corsOrigins: '--cors-origins', authMode: '--auth', storeFile: '--store',
};

/** The range of a port: 0 (any free one) to 65535. `--port` and startServer's `options.port` are checked against it. */
export const PORT_RANGE = { min: 0, max: 65535 };
/** The range of read workers: `--read-workers` and `options.readWorkers`. */
export const READ_WORKERS_RANGE = { min: 0, max: 64 };

/**
 * startServer's checks of what a library caller passes that the CLI's option parsing checks for the CLI (the same
 * checks: util/whole-number.ts checkWholeNumber): `port` not a whole number 0–65535 (Node's listen would throw a
 * RangeError), `host` not a string, `readWorkers` not a whole number 0–64, `maxBody` not a whole number of bytes ≥ 1, `rateLimit` not `{ policies, warnShare? }` (rate-limit.ts checkRateLimitOptions), `store` not memory or sqlite,
 * `bulkExport.expirySeconds` not a number of seconds > 0, `auth` not an object with a known `mode`, `corsOrigins` not `*`
 * or a list of origins (cors.ts corsOrigin, as `--cors-origins`), a `validate.igs` entry not `<name>@<version>`
 * (validate/packages.ts parseIg, as serve's `--ig`). Throws one UserError named as `names` says.
 */
export function checkServeOptions(options: { port?: unknown; host?: unknown; readWorkers?: unknown; validate?: unknown; maxBody?: unknown; rateLimit?: unknown; tls?: unknown; store?: unknown; bulkExport?: unknown; auth?: unknown; corsOrigins?: unknown }, names: ServeOptionNames): void {
  if (options.port !== undefined) checkWholeNumber(names.port, options.port, PORT_RANGE);
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new UserError(`${names.host} ${shownValue(options.host)}: expected a host name or address (default 127.0.0.1)`);
  }
  if (options.readWorkers !== undefined) checkWholeNumber(names.readWorkers, options.readWorkers, READ_WORKERS_RANGE);
  // Bytes, at least 1 (serve's --max-body takes kB/MB/GB and says so: body.ts parseByteSize).
  if (options.maxBody !== undefined) checkWholeNumber(names.maxBody, options.maxBody, { min: 1 });
  if (options.rateLimit !== undefined) checkRateLimitOptions(options.rateLimit, names.rateLimit);
  if (options.store !== undefined && options.store !== 'memory' && options.store !== 'sqlite') {
    throw new UserError(`${names.store} ${shownValue(options.store)}: expected memory or sqlite (a store file goes in options.storeFile)`);
  }
  // Above 0: 0 or less would drop every export as it finishes. Fractions are taken (a test's export expiring in 0.3 s);
  // --export-ttl's parseDuration asks for at least 1 s.
  const expiry = typeof options.bulkExport === 'object' && options.bulkExport !== null ? (options.bulkExport as { expirySeconds?: unknown }).expirySeconds : undefined;
  if (expiry !== undefined && (typeof expiry !== 'number' || !Number.isFinite(expiry) || expiry <= 0)) {
    throw new UserError(`${names.exportTtl} ${shownValue(expiry)}: expected a number of seconds > 0`);
  }
  if (options.auth !== undefined) checkAuthMode(options.auth, names.auth);
  if (options.tls !== undefined) {
    if (typeof options.tls !== 'object' || options.tls === null) throw new UserError(`${names.tls.cert.replace(/\.cert$/, '')} ${shownValue(options.tls)}: expected { cert, key }, PEM file paths`);
    tlsPair(options.tls, names.tls);
  }
  if (options.corsOrigins !== undefined && options.corsOrigins !== '*') {
    if (!Array.isArray(options.corsOrigins) || !options.corsOrigins.length) {
      throw new UserError(`${names.corsOrigins} ${shownValue(options.corsOrigins)}: expected '*' or a list of origins such as ['https://app.example']`);
    }
    for (const origin of options.corsOrigins) corsOrigin(String(origin), names.corsOrigins);
  }
  // Told now, not after the packages and the data are loaded (createValidator would say the same, seconds later).
  const igs = typeof options.validate === 'object' && options.validate !== null ? (options.validate as { igs?: unknown }).igs : undefined;
  if (igs !== undefined) {
    if (!Array.isArray(igs)) throw new UserError(`${names.validateIgs} ${shownValue(igs)}: expected a list of <name>@<version>, e.g. ['carin-bb@2.0.0', 'us-core@6.1.0']`);
    for (const ig of igs) parseIg(ig, names.validateIgs);
  }
}

/**
 * `auth` an object whose `mode` is one of SERVE_AUTH_MODES (`--auth`'s choices): anything else served every FHIR
 * request 401 without a word. UserError `options.auth.mode "bogus": expected one of none, bearer, smart-backend, smart-patient`.
 */
function checkAuthMode(auth: unknown, name: string): void {
  const expected = `expected one of ${SERVE_AUTH_MODES.join(', ')}`;
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) throw new UserError(`${name} ${shownValue(auth)}: expected { mode, … } with mode one of ${SERVE_AUTH_MODES.join(', ')}`);
  const mode = (auth as { mode?: unknown }).mode;
  if (!(SERVE_AUTH_MODES as readonly unknown[]).includes(mode)) throw new UserError(`${name}.mode ${mode === undefined ? 'missing' : shownValue(mode)}: ${expected}`);
}

/**
 * The start's checks that take no time, made before the port is bound and before packages or data are loaded (which
 * take seconds to minutes), so that a mistake is told at once, one line (UserError, exit 2), nothing touched:
 * `dir` a readable directory holding FHIR data (assertServedDirectory), `packagesDir` and the registered clients'
 * `stateDir` not files (assertDirectoryOption), then the SQLite store file: its path, its
 * folder made or writable, another serve's lock (store/lock.ts), a file that is not a fhirseed store (without
 * `rebuildStore`). When one fails and `port` on `host` is in use too, the line names both (`…; and port 8080 is in use
 * …`), so that the second is not told only at the next try. Takes the store's lock and returns its release (a no-op
 * without a store file on disk). The two directories are named as `names` says.
 */
export async function checkBeforeStart(
  options: RepositoryOptions & { packagesDir?: string; auth?: Pick<AuthOptions, 'mode' | 'registration'> },
  host: string,
  port: number,
  names: ServeOptionNames = SERVE_CLI_NAMES,
): Promise<() => void> {
  try {
    if (options.dir !== undefined) assertServedDirectory(options.dir);
    if (options.packagesDir) assertDirectoryOption(names.packagesDir, options.packagesDir);
    const stateDir = registeredClientsDir(options.auth);
    if (stateDir) assertDirectoryOption(names.stateDir, stateDir);
    const file = storeFileOf(options);
    if (file === undefined) return () => undefined;
    const unlock = lockStoreFile(file, options.storeFile !== undefined, names.storeFile);
    try {
      assertStoreKind(file, options.rebuildStore);
      return unlock;
    } catch (error) {
      unlock();
      throw error;
    }
  } catch (error) {
    throw await withPortProblem(error, host, port, names);
  }
}

/**
 * `dir` as `serve DIR` needs it: a directory it can list (`DIR: no such directory`, `DIR: is a file, not a
 * directory …`, `cannot read the directory DIR (EACCES)`) that is empty or holds `.json`/`.ndjson` files: one whose
 * files are all something else (`serve ~/Downloads`) would serve nothing without a word. UserError otherwise.
 */
export function assertServedDirectory(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${dir}: no such directory`);
    throw new UserError(`cannot read the directory ${dir} (${code ?? (error as Error).message})`);
  }
  if (!isDirectory) throw new UserError(`${dir}: is a file, not a directory (serve takes a directory of fhirseed output, Bundles, NDJSON or resources)`);
  const files = dataFiles(dir);
  if (files.length && !files.some((f) => f.endsWith('.json') || f.endsWith('.ndjson'))) {
    throw new UserError(`${dir}: holds no FHIR data (no .json or .ndjson file among its ${files.length} files); give fhirseed output, Bundles, NDJSON or resources`);
  }
}

/** Where the registered clients are kept when the server keeps any (a SMART mode with registration on), else undefined. */
export function registeredClientsDir(auth: Pick<AuthOptions, 'mode' | 'registration'> | undefined): string | undefined {
  const smart = auth?.mode === 'smart-backend' || auth?.mode === 'smart-patient';
  return smart && auth.registration && auth.registration.mode !== 'off' ? auth.registration.stateDir : undefined;
}

// assertDirectoryOption lives in src/util/directory-option.ts: validate and report share it without loading serve.
export { assertDirectoryOption } from '../util/directory-option.js';

/**
 * A directory option the user named for writing (`--state-dir DIR`): assertDirectoryOption, and then a folder can be
 * made in it, or in its nearest existing ancestor (a probe folder made and removed: access() says yes to root even on
 * /proc). UserError `OPTION PATH: cannot write in DIR (CODE)`. Not for the default DIR/serve-state: a read-only output
 * is served as it is.
 */
export function assertWritableDirectoryOption(option: string, path: string): void {
  assertDirectoryOption(option, path);
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    rmdirSync(mkdtempSync(join(at, '.fhirseed-probe-')));
  } catch (error) {
    throw new UserError(`${option} ${path}: cannot write in ${at} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * `problem` (a UserError) with the port's in one line (`…; and port 8080 is in use …`) when `port` cannot be bound on
 * `host` either; else (port 0 among them) `problem` as it is.
 */
export async function withPortProblem(problem: unknown, host: string, port: number, names: ListenNames = LISTEN_CLI_NAMES): Promise<unknown> {
  if (!(problem instanceof UserError) || port === 0) return problem;
  try {
    await assertPortFree(host, port, names);
    return problem;
  } catch (portProblem) {
    return portProblem instanceof UserError ? new UserError(`${problem.message}; and ${portProblem.message}`) : problem;
  }
}
