import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import type { TestAccount } from '../../output/accounts.js';
import { DEMO_PATH } from '../../serve/demo.js';
import { SERVE_AUTH_MODES } from '../../serve/auth.js';
import { INTERRUPTED_LOADED, startServer, stopIfAsked, type AuthClient, type AuthOptions, type RunningServer, type ServeOptions } from '../../serve/index.js';
import { assertPortFree } from '../../serve/listen.js';
import { loadTestMembers } from '../../serve/test-members.js';
import { parseDuration } from '../../serve/oauth/duration.js';
import { SERVE_STATE_DIR, type RegistrationOptions } from '../../serve/oauth/register-route.js';
import { parseRateLimit, parseWarnShare, type RateLimitOptions } from '../../serve/rate-limit.js';
import { readTls, tlsPair, type TlsFiles } from '../../serve/tls.js';
import { DEFAULT_MAX_BODY_BYTES, parseByteSize } from '../../serve/body.js';
import { parseCorsOrigins } from '../../serve/cors.js';
import { assertStoreKind, lockStoreFile } from '../../serve/store/open.js';
import { assertStoreFree } from '../../serve/store/lock.js';
import { onStoreFault } from '../../serve/store/failure.js';
import { storeFileOf, storeLeftByStart, type StoreAtStart } from '../../serve/store/engine.js';
import { assertDirectoryOption, assertWritableDirectoryOption, PORT_RANGE, READ_WORKERS_RANGE, registeredClientsDir, SERVE_CLI_NAMES, withPortProblem } from '../../serve/startup-checks.js';
import { UserError } from '../../util/errors.js';
import { parseJsonText } from '../../util/json-text.js';
import { packagesDirNote } from '../../validate/package-sources.js';
import { parseIg } from '../../validate/packages.js';
import { DEFAULT_IGS } from '../../validate/default-igs.js';
import { beforeForcedExit, interruptSignal } from '../interrupt.js';
import { wholeNumberOption } from '../numbers.js';
import type { CommandContext } from '../run.js';
import { plural } from '../../util/plural.js';

export interface ServeArgs extends CommandContext {
  dir?: string;
  /** As typed: parsed by serveUntilStopped, so that a bad value is echoed as given. */
  port: string;
  host: string;
  auth: AuthOptions['mode'];
  token?: string[];
  'client-id': string;
  'client-secret'?: string;
  'client-jwks'?: string;
  'access-token-ttl': string;
  'refresh-token-ttl': string;
  'rate-limit'?: string;
  'rate-limit-warn': string;
  'cors-origins': string;
  'max-body': string;
  /** How long a finished $export is kept, as typed (a duration). */
  'export-ttl': string;
  registration: 'open' | 'token' | 'off';
  'registration-token'?: string;
  'state-dir'?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  packages?: string;
  /** memory, sqlite, or the SQLite store's file. */
  store?: string;
  'rebuild-store': boolean;
  /** As typed: a whole number 0–64 (readWorkersOption). */
  'read-workers'?: string;
  validate: boolean;
  ig?: string[];
}

export const serveCommand: CommandModule<CommandContext, ServeArgs> = {
  ...COMMAND_HEADINGS.serve,
  builder: (yargs: Argv<CommandContext>) =>
    serveOptions(yargs.positional('dir', { type: 'string', describe: 'Directory to preload: fhirseed output, Bundles, NDJSON or resources' })) as unknown as Argv<ServeArgs>,
  handler: (argv) => serveUntilStopped(argv, argv.dir),
};

/** Options `serve` and `start` share: listening, auth, validation. */
export function serveOptions<T>(yargs: Argv<T>): Argv<T> {
  return yargs
    .option('port', { type: 'string', default: '8080', describe: 'Port to listen on (0 = any free port)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Interface to listen on' })
    .option('auth', { choices: SERVE_AUTH_MODES, default: 'none' as const, describe: 'Authorization the server demands' })
    .option('token', { type: 'string', array: true, describe: 'A static bearer token the server accepts (repeatable; or comma-separated in $FHIRSEED_SERVE_TOKENS)' })
    .option('client-id', { type: 'string', default: 'fhirseed-test-client', describe: 'smart-backend: the test client id; smart-patient: the client id in the printed sign-in link (any id is a public client)' })
    .option('client-secret', { type: 'string', describe: 'smart-backend (smart-patient: optional, makes --client-id confidential): the client secret, client_secret_basic/post (or $FHIRSEED_SERVE_CLIENT_SECRET)' })
    .option('client-jwks', { type: 'string', describe: 'smart-backend: JWKS file with the test client public keys (private_key_jwt)' })
    .option('access-token-ttl', { type: 'string', alias: 'token-lifetime', default: '5m', describe: 'smart-backend, smart-patient: how long an access token lives (300, 90s, 15m, 1h, 30d)' })
    .option('refresh-token-ttl', { type: 'string', default: '30d', describe: 'smart-patient: how long a refresh token (offline_access) lives' })
    .option('registration', { choices: ['open', 'token', 'off'] as const, default: 'open' as const, describe: 'smart-backend, smart-patient: dynamic client registration at /auth/register (token: needs --registration-token)' })
    .option('registration-token', { type: 'string', describe: '--registration token: the initial access token registrations must carry (or $FHIRSEED_REGISTRATION_TOKEN)' })
    .option('state-dir', { type: 'string', describe: "The server's own state, registered clients (default DIR/serve-state; without DIR, in memory)" })
    .option('tls-cert', { type: 'string', describe: 'Serve HTTPS: PEM certificate (chain) file; needs --tls-key' })
    .option('tls-key', { type: 'string', describe: 'Serve HTTPS: PEM private key file of --tls-cert' })
    .option('rate-limit', { type: 'string', describe: 'Per-client request quota: N/s, N/min or both (10/s,300/min); 429 past it' })
    .option('rate-limit-warn', { type: 'string', default: '80%', describe: '--rate-limit: share of the quota past which answers carry a Warning header' })
    .option('cors-origins', { type: 'string', default: '*', describe: 'Origins browser apps may call from: * (any) or a comma list (https://app.example,http://localhost:5173)' })
    .option('max-body', { type: 'string', default: `${DEFAULT_MAX_BODY_BYTES / 1024 / 1024}MB`, describe: 'Largest request body (bytes, or kB/MB/GB); larger answers 413' })
    .option('export-ttl', { type: 'string', default: '1h', describe: 'How long a finished Bulk Data $export (manifest and files) is kept before 404 (a duration: 600, 90s, 15m, 1h, 2d)' })
    .option('packages', { type: 'string', describe: 'Directory of FHIR packages for /metadata and --validate (default $FHIRSEED_PACKAGES, else ~/.fhir/packages)' })
    .option('store', { type: 'string', describe: 'Where the sandbox keeps its data: memory (loaded at every start), sqlite (indexed and persistent, in DIR/sandbox-store/store.sqlite) or a FILE for the SQLite store (default sqlite, or $FHIRSEED_STORE)' })
    .option('read-workers', { type: 'string', describe: '--store sqlite/FILE: worker threads that answer searches and reads, each with its own read-only connection (0 = all on the server thread; default 2 for a store of 50,000 resources or more, else 0, or $FHIRSEED_READ_WORKERS)' })
    .option('rebuild-store', { type: 'boolean', default: false, describe: '--store sqlite/FILE: load the data anew even when the store matches it (replaces a store file that is not fhirseed\'s)' })
    .option('validate', { type: 'boolean', default: false, describe: "Validate writes with fhirseed's validator; refuse those with errors (422)" })
    .option('ig', { type: 'string', array: true, describe: `--validate: IG packages to check profiles against (default ${DEFAULT_IGS.join(', ')})` });
}

export type ServeArgsShared = Omit<ServeArgs, 'dir'>;

/** --store memory | sqlite | FILE and --rebuild-store as startServer's options. */
export function storeOptions(argv: Pick<ServeArgsShared, 'store' | 'rebuild-store'>): Pick<ServeOptions, 'store' | 'storeFile' | 'rebuildStore'> {
  const value = argv.store;
  if (value === undefined || value === 'memory' || value === 'sqlite') {
    if (argv['rebuild-store'] && value === 'memory') throw new UserError('--rebuild-store: only with --store sqlite or --store FILE');
    return { ...(value ? { store: value } : {}), rebuildStore: argv['rebuild-store'] };
  }
  if (!value) throw new UserError('--store: expected memory, sqlite or a file');
  // A bare word is far more often a misspelt choice than a store file meant to land in the working directory.
  if (!/[/.]/.test(value)) throw new UserError(`--store ${value}: expected memory, sqlite or a file path (a file needs a folder or an extension: ./${value} or ${value}.sqlite)`);
  return { store: 'sqlite', storeFile: value, rebuildStore: argv['rebuild-store'] };
}

/**
 * --read-workers as startServer's readWorkers: undefined when not given (the server then reads
 * $FHIRSEED_READ_WORKERS, else its default). Throws UserError for a value that is not a whole number 0–64, or for
 * workers asked of the memory store, by --store memory or, without --store, $FHIRSEED_STORE=memory (it has no file
 * for them to read).
 */
export function readWorkersOption(argv: Pick<ServeArgsShared, 'read-workers' | 'store'>, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = wholeNumberOption('--read-workers', argv['read-workers'], READ_WORKERS_RANGE);
  // --store given wins; else $FHIRSEED_STORE chooses the store, and workers for its memory store were silently dropped.
  const store = argv.store ?? env.FHIRSEED_STORE;
  if (n && store === 'memory') throw new UserError(`--read-workers ${n}: only with --store sqlite or --store FILE (the memory store${argv.store ? '' : ', chosen by $FHIRSEED_STORE,'} is searched on the server thread)`);
  return n;
}

/**
 * For `start`, before it spends minutes generating into `dir`: checks --port and that it can be bound on --host now,
 * the options only the server reads (CORS origins, body limit, store file, rate limit, token lifetimes, TLS files,
 * --packages and --state-dir not files), and that no other serve holds the store it will serve (DIR/sandbox-store/store.sqlite or --store FILE: generating
 * would replace the directory under it); a --store FILE is also checked as serve checks it (folder, writable, a
 * fhirseed store unless --rebuild-store). UserError (exit 2) for each. `serve` needs no call: startServer checks all
 * this before loading.
 */
export async function checkBeforeGenerating(argv: ServeArgsShared, dir: string): Promise<void> {
  if (argv['cors-origins'] !== undefined) parseCorsOrigins(argv['cors-origins']);
  if (argv['max-body'] !== undefined) parseByteSize('--max-body', argv['max-body']);
  const store = storeOptions(argv);
  readWorkersOption(argv);
  rateLimitOptions(argv);
  parseDuration('--access-token-ttl', argv['access-token-ttl']);
  parseDuration('--refresh-token-ttl', argv['refresh-token-ttl']);
  if (argv['export-ttl'] !== undefined) parseDuration('--export-ttl', argv['export-ttl']);
  const tls = tlsFiles(argv);
  if (tls) readTls(tls);
  const port = wholeNumberOption('--port', argv.port, PORT_RANGE)!;
  try {
    if (argv.packages) assertDirectoryOption('--packages', argv.packages);
    const stateDir = registeredClientsDir({ mode: argv.auth, registration: registrationOptions(argv, dir) });
    if (stateDir) assertDirectoryOption('--state-dir', stateDir);
    if (store.storeFile) {
      lockStoreFile(store.storeFile, true)();
      assertStoreKind(store.storeFile, store.rebuildStore);
    }
    const file = storeFileOf({ dir, ...store });
    if (file) assertStoreFree(file);
  } catch (error) {
    // `npm start` run twice: the store and the port are both the first one's, and both need another value.
    throw await withPortProblem(error, argv.host, port);
  }
  await assertPortFree(argv.host, port);
}

/**
 * Starts the server on `dir`, prints where it is, test members and example queries, and runs until
 * SIGINT/SIGTERM; then closes the server, says so in one line and sets exit code 130 (interrupted). A signal while
 * the data loads stops the load between batches: Interrupted (one line, exit 130), nothing served.
 */
export async function serveUntilStopped(argv: ServeArgsShared, dir: string | undefined): Promise<void> {
  const port = wholeNumberOption('--port', argv.port, PORT_RANGE)!;
  argv.ig?.forEach((ig) => parseIg(ig));
  const corsOrigins = parseCorsOrigins(argv['cors-origins']);
  const maxBody = parseByteSize('--max-body', argv['max-body']);
  const bulkExport = { expirySeconds: parseDuration('--export-ttl', argv['export-ttl'] ?? '1h') };
  const readWorkers = readWorkersOption(argv);
  // Claimed before the load: a signal while the data loads (minutes for a large store) stops it between batches,
  // the store unfinished (Interrupted, one line, exit 130); once serving, it stops the server.
  const { signal, release } = interruptSignal();
  let served = false;
  // A second signal meets the fallback (bin.ts: exit 130 at once) if the clean stop hangs.
  signal.addEventListener('abort', release, { once: true });
  // A second signal while the server starts (the first stops it at the end of the current step) ends it at once, the
  // line saying what is left of the store (its build cut short is removed by the next start).
  let opened: StoreAtStart | undefined;
  const releaseStarting = beforeForcedExit(() => `interrupted again while starting; nothing served${storeLeftByStart(opened)}`);
  let releaseStore = () => undefined as void;
  try {
    const server = await startServer({
      port, host: argv.host, dir, auth: { ...authOptions(argv), registration: registrationOptions(argv, dir) }, packagesDir: argv.packages, rateLimit: rateLimitOptions(argv), tls: tlsFiles(argv),
      corsOrigins, maxBody, bulkExport,
      validate: argv.validate ? { igs: argv.ig } : false,
      ...storeOptions(argv),
      ...(readWorkers !== undefined ? { readWorkers } : {}),
      signal,
      onStoreOpened: (store) => (opened = store),
    }, SERVE_CLI_NAMES);
    // A second signal during the clean stop (Ctrl-C pressed again while it waits for the read workers, or a SIGTERM
    // after the SIGINT) ends the process at once: the store is closed first, so that only its file is left (no -wal,
    // -shm or lock).
    releaseStarting();
    releaseStore = beforeForcedExit(() => {
      server.closeStoreNow();
      return 'interrupted again while stopping; server stopped at once (exit 130)';
    });
    // Asked for by number, the workers have started (or failed) before serving: say how many answer.
    const workers = readWorkers !== undefined && server.store ? await server.readWorkers : undefined;
    // A signal that came during the start's last synchronous step is read first: no banner after it.
    await stopIfAsked(signal, INTERRUPTED_LOADED).catch(() => undefined);
    if (!signal.aborted) {
      announce(argv, server, dir, workers === undefined ? undefined : { wanted: readWorkers!, ready: workers });
      served = true;
      // A damaged store page found by a request: that request answers 500, and the first one is said here (one
      // found by the start is its exit-2 line instead).
      onStoreFault((line) => argv.io.stderr(`fhirseed: ${line}\n`));
    }
    await new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', resolve, { once: true })));
    await server.close();
  } finally {
    release();
    releaseStarting();
    releaseStore();
    onStoreFault(undefined);
  }
  // Stopped by a signal, as every serve ends: exit 130 (interrupted), after a clean stop; on stderr, as every command's
  // interrupted line (README's exit codes). A signal after the store was built but before the server was announced
  // (the attribution Groups, read workers) stopped a server nobody was told of: said as such, the built store kept.
  argv.io.stderr(served ? 'fhirseed: interrupted; server stopped (exit 130)\n' : `fhirseed: ${INTERRUPTED_LOADED} (exit 130)\n`);
  argv.result.exitCode = 130;
}

/** The start-up lines: where the server is, what it holds, test members and example queries, how to stop it. */
function announce(argv: ServeArgsShared, server: RunningServer, dir: string | undefined, workers?: { wanted: number; ready: number }): void {
  const io = argv.io;
  const held = server.store?.endsWith(' reused') ? 'resources in the reused store' : `resources loaded${dir ? ` from ${dir}` : ''}`;
  io.stdout(`fhirseed: FHIR R4 sandbox at ${server.url} (${server.loadedResources} ${held}, auth ${argv.auth}${argv.validate ? ', writes validated' : ''})\n`);
  if (server.store) io.stdout(`fhirseed: ${server.store}\n`);
  if (workers) io.stdout(workers.wanted ? `fhirseed: searches and reads on ${workers.ready === workers.wanted ? '' : `${workers.ready} of `}${workers.wanted} read worker threads\n` : 'fhirseed: searches and reads on the server thread (--read-workers 0)\n');
  const packagesNote = packagesDirNote(argv.packages);
  if (packagesNote) io.stderr(`fhirseed: note: ${packagesNote}\n`);
  if (server.notes.length) {
    io.stderr(`fhirseed: note: served without some IG profiles and search parameters: ${server.notes.join('; ')}\n`);
  }
  for (const error of server.loadErrors.slice(0, 20)) io.stderr(`fhirseed: not loaded: ${error}\n`);
  if (server.loadErrors.length > 20) io.stderr(`fhirseed: … and ${server.loadErrors.length - 20} more load errors\n`);
  if (dir) io.stdout(argv.auth === 'smart-patient' ? signInExamples(server.url, dir, argv['client-id'], curlOf(argv)) : examples(server.url, dir, argv));
  const origin = new URL(server.url).origin;
  io.stdout(`Index page (endpoints, test members, how to connect): ${origin}/\n`);
  if (argv.auth === 'smart-patient') io.stdout(`Member demo app (a SMART web app; sign in as a test member): ${origin}${DEMO_PATH}\n`);
  io.stdout('Press Ctrl-C to stop.\n');
}

function tlsFiles(argv: ServeArgsShared): TlsFiles | undefined {
  return tlsPair({ cert: argv['tls-cert'], key: argv['tls-key'] }, SERVE_CLI_NAMES.tls);
}

function registrationOptions(argv: ServeArgsShared, dir: string | undefined): RegistrationOptions {
  const initialToken = argv['registration-token'] ?? process.env.FHIRSEED_REGISTRATION_TOKEN;
  // Registration exists only under the SMART modes: a token asked to guard it elsewhere would guard nothing.
  if ((argv.registration === 'token' || argv['registration-token'] !== undefined) && argv.auth !== 'smart-backend' && argv.auth !== 'smart-patient') {
    throw new UserError(`${argv.registration === 'token' ? '--registration token' : '--registration-token'}: there is no client registration under --auth ${argv.auth} (only under smart-backend or smart-patient)`);
  }
  if (argv.registration === 'token' && !initialToken) throw new UserError('--registration token needs --registration-token (or $FHIRSEED_REGISTRATION_TOKEN)');
  // A --state-dir the user named that is a file (or lies under one) is a mistake in every mode, told before the port:
  // under none or bearer nothing would be kept there, which the user had no way to know.
  if (argv['state-dir']) assertDirectoryOption('--state-dir', argv['state-dir']);
  const stateDir = argv['state-dir'] ?? (dir ? join(dir, SERVE_STATE_DIR) : undefined);
  const registration = { mode: argv.registration, initialToken, stateDir };
  // A --state-dir the user named must take writes (its clients.json); checked before the port, as startServer checks
  // that it is not a file. The default DIR/serve-state is not: a read-only output is served as it is.
  if (argv['state-dir'] && registeredClientsDir({ mode: argv.auth, registration })) assertWritableDirectoryOption('--state-dir', argv['state-dir']);
  return registration;
}

function rateLimitOptions(argv: ServeArgsShared): RateLimitOptions | undefined {
  const warnShare = parseWarnShare(argv['rate-limit-warn']);
  return argv['rate-limit'] === undefined ? undefined : { policies: parseRateLimit(argv['rate-limit']), warnShare };
}

function authOptions(argv: ServeArgsShared): AuthOptions {
  const lifetimes = {
    tokenLifetimeSeconds: parseDuration('--access-token-ttl', argv['access-token-ttl']),
    refreshTokenLifetimeSeconds: parseDuration('--refresh-token-ttl', argv['refresh-token-ttl']),
  };
  if (argv.auth === 'none') return { mode: 'none' };
  // Secrets may come from the environment, so that they stay out of the process list and shell history.
  const tokens = [...(argv.token ?? []), ...(process.env.FHIRSEED_SERVE_TOKENS ?? '').split(',').map((t) => t.trim()).filter(Boolean)];
  const secret = argv['client-secret'] ?? process.env.FHIRSEED_SERVE_CLIENT_SECRET;
  if (argv.auth === 'bearer') {
    if (!tokens.length) throw new UserError('--auth bearer needs a token: --token or $FHIRSEED_SERVE_TOKENS');
    return { mode: 'bearer', staticTokens: tokens };
  }
  if (argv.auth === 'smart-patient') {
    // The test members come from DIR/test-accounts.json, read by startServer.
    return { mode: 'smart-patient', ...lifetimes, staticTokens: tokens, clients: secret ? [{ clientId: argv['client-id'], secret }] : [] };
  }
  if (!secret && !argv['client-jwks']) throw new UserError('--auth smart-backend needs --client-secret (or $FHIRSEED_SERVE_CLIENT_SECRET) or --client-jwks');
  let jwks: AuthClient['jwks'];
  if (argv['client-jwks']) {
    let text: string;
    try {
      text = readFileSync(argv['client-jwks'], 'utf8');
    } catch (error) {
      throw new UserError(`--client-jwks ${argv['client-jwks']}: cannot read a JWKS (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    // Where the JSON breaks, in one line (JSON.parse's message quotes the text, line breaks and all).
    jwks = parseJsonText<AuthClient['jwks']>(text, `--client-jwks ${argv['client-jwks']}`);
    if (!Array.isArray(jwks?.keys)) throw new UserError(`--client-jwks ${argv['client-jwks']}: expected {"keys": [...]}`);
  }
  return {
    mode: 'smart-backend',
    ...lifetimes,
    staticTokens: tokens,
    clients: [{ clientId: argv['client-id'], secret, jwks }],
  };
}

/**
 * `curl` as the banner's example lines call it so that they work as printed: `--cacert CERT` under `--tls-cert` (the
 * given path, quoted for a POSIX shell; curl trusts a self-signed certificate named so).
 */
function curlOf(argv: ServeArgsShared): string {
  return argv['tls-cert'] ? `curl --cacert ${shellQuote(argv['tls-cert'])}` : 'curl';
}

function shellQuote(text: string): string {
  return /^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The lines before the example queries that set `$TOKEN` where the server wants one (never a secret itself: they name
 * where it comes from), and the header the queries then send. `--auth bearer`: one of the static tokens;
 * `smart-backend`: a client_credentials token from /auth/token with the client's secret (RFC 6749 §4.4,
 * client_secret_basic), or, for a client with a JWKS only, how to get one. Empty under `none`.
 */
function tokenLines(argv: ServeArgsShared, url: string, curl: string): { lines: string[]; header: string } {
  const header = ' -H "Authorization: Bearer $TOKEN"';
  if (argv.auth === 'bearer') {
    const fromEnv = !argv.token?.length && process.env.FHIRSEED_SERVE_TOKENS;
    return { lines: [fromEnv ? '  TOKEN="${FHIRSEED_SERVE_TOKENS%%,*}"   # the first of $FHIRSEED_SERVE_TOKENS' : "  TOKEN='<one of the --token values>'"], header };
  }
  if (argv.auth !== 'smart-backend') return { lines: [], header: '' };
  const tokenUrl = `${new URL(url).origin}/auth/token`;
  const clientId = argv['client-id'];
  const hasSecret = argv['client-secret'] !== undefined || Boolean(process.env.FHIRSEED_SERVE_CLIENT_SECRET);
  if (!hasSecret) {
    return { lines: [`  TOKEN='<a token from ${tokenUrl}: a client_credentials grant with a client_assertion signed by a key of --client-jwks (fhirseed seed --auth smart-backend --jwks-file does it), or a --token value>'`], header };
  }
  const secret = argv['client-secret'] !== undefined ? '<the --client-secret>' : '$FHIRSEED_SERVE_CLIENT_SECRET';
  const read = `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;
  return { lines: [`  TOKEN=$(${curl} -s -u "${clientId}:${secret}" -d grant_type=client_credentials -d 'scope=system/*.read' '${tokenUrl}' | ${read})`], header };
}

/**
 * A few test members and example queries, from the test-accounts file when there is one. The queries work as printed
 * in the server's mode (curlOf, tokenLines); members' sign-ins are left out where no member signs in (bearer,
 * smart-backend).
 */
function examples(url: string, dir: string, argv: ServeArgsShared): string {
  // An unsharded run's accounts, else every shard's (a `start --shard i/N` directory).
  const whole = join(dir, 'test-accounts.json');
  const files = existsSync(whole) ? [whole] : existsSync(dir) ? readdirSync(dir).filter((n) => /^test-accounts\.shard-\d+-of-\d+\.json$/.test(n)).sort().map((n) => join(dir, n)) : [];
  const accounts: TestAccount[] = [];
  for (const file of files) {
    try {
      accounts.push(...(JSON.parse(readFileSync(file, 'utf8')) as TestAccount[]));
    } catch {
      return '';
    }
  }
  if (!accounts.length) return '';
  // Members with claims first: the example queries should find something.
  const claimCount = (a: TestAccount) => Object.values(a.claims ?? {}).reduce((n, c) => n + c, 0);
  const shown = [...accounts].sort((a, b) => Number(claimCount(b) > 0) - Number(claimCount(a) > 0)).slice(0, 3);
  const lines = ['Test members:'];
  const login = (a: TestAccount) => (argv.auth === 'none' ? `, login ${a.username} / ${a.password}` : '');
  for (const a of shown) lines.push(`  ${a.name} — Patient/${a.patientId}, member ${a.memberId}${login(a)}, ${claimCount(a)} ${plural(claimCount(a), 'claim')}`);
  const first = shown[0];
  if (first) {
    const curl = curlOf(argv);
    const token = tokenLines(argv, url, curl);
    lines.push('Try:', ...token.lines);
    const get = `${curl}${token.header}`;
    lines.push(`  ${get} '${url}/Patient/${first.patientId}'`);
    lines.push(`  ${get} '${url}/ExplanationOfBenefit?patient=${first.patientId}&_include=ExplanationOfBenefit:coverage'`);
    lines.push(`  ${get} '${url}/Coverage?beneficiary=${first.patientId}'`);
    lines.push(`  ${get} '${url}/Patient/${first.patientId}/$everything'`);
  }
  return `${lines.join('\n')}\n`;
}

/** Two test members' sign-ins and a SMART standalone launch link (with its PKCE verifier) to start from. */
function signInExamples(url: string, dir: string, clientId: string, curl: string): string {
  const accounts = loadTestMembers(dir).slice(0, 2);
  const origin = new URL(url).origin;
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = 'http://localhost:3000/callback';
  const authorize = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'launch/patient patient/*.read openid fhirUser offline_access',
    state: 'try-me', aud: url, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  });
  const lines = ['Sign in as a test member (SMART standalone patient launch; test data, the logins are in test-accounts.json on purpose):'];
  for (const a of accounts) lines.push(`  ${a.name ?? a.username} — Patient/${a.patientId}, username ${a.username}, password ${a.password}`);
  lines.push('Start from (in a browser; after sign-in the redirect to localhost:3000 carries ?code=…):');
  lines.push(`  ${origin}/auth/authorize?${authorize.toString()}`);
  lines.push('Then exchange the code for a token bound to that member:');
  lines.push(`  ${curl} -d grant_type=authorization_code -d code=CODE -d client_id=${clientId} --data-urlencode redirect_uri=${redirectUri} -d code_verifier=${verifier} '${origin}/auth/token'`);
  return `${lines.join('\n')}\n`;
}

