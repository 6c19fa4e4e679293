import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Bundle } from '@medplum/fhirtypes';
import { SandboxAuth, type AuthOptions } from './auth.js';
import { ensurePackages } from '../validate/package-download.js';
import { capabilityStatement, findProfiles, profileIgs } from './capability.js';
import { FHIR_PATH, createHandler } from './http.js';
import { createSite } from './index-page.js';
import { loadBrands } from './brands.js';
import { listenOn } from './listen.js';
import { answerClientErrors } from './client-error.js';
import type { LoadResult } from './load.js';
import { RateLimit, type RateLimitOptions } from './rate-limit.js';
import { readTls, type TlsFiles } from './tls.js';
import { indexSearchParameters } from './router.js';
import { createRepository, type RepositoryOptions } from './store/engine.js';
import { loadTestMembers, type TestMember } from './test-members.js';
import { createWriteCheck } from './validate-writes.js';
import { addAttributionGroups } from './attribution.js';
import type { ExportOptions } from './export.js';
import { igSearchParameters, SEARCH_IGS } from './ig-search-parameters.js';
import { damagedStore } from './store/open.js';
import { checkBeforeStart, checkServeOptions, SERVE_LIBRARY_NAMES, type ServeOptionNames } from './startup-checks.js';
import { Interrupted } from '../util/errors.js';
import { payerCapability } from './payer-capability.js';
import { manifestIgs } from './served-igs.js';
import { ReadPool, readWorkerCount, readWorkersFromEnvironment } from './store/read-pool.js';
import { holdR4Resources } from './r4-resources.js';

export type { AuthClient, AuthOptions } from './auth.js';
export type { TestMember } from './test-members.js';

export interface ServeOptions extends Omit<RepositoryOptions, 'dir'> {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** fhirseed output (or any directory of Bundles, NDJSON, resources) to preload. */
  dir?: string;
  auth?: AuthOptions;
  /** Where the CARIN BB / US Core packages are, for the profiles in /metadata; default $FHIRSEED_PACKAGES. */
  packagesDir?: string;
  /**
   * Validate writes (create, update, transaction and batch entries) with fhirseed's validator and
   * refuse those with errors (422). The preload is not validated. `igs` default: CARIN BB 2.0.0, US Core 6.1.0.
   */
  validate?: boolean | { igs?: string[] };
  /** Per-client request quotas (--rate-limit), with their headers on every answer. */
  rateLimit?: RateLimitOptions;
  /** Serve HTTPS with this PEM certificate and key (--tls-cert, --tls-key). */
  tls?: TlsFiles;
  /** Origins browser apps may call from (--cors-origins): `*` (default) or a list, echoed with Vary: Origin. */
  corsOrigins?: '*' | string[];
  /** Largest request body in bytes (--max-body); default DEFAULT_MAX_BODY_BYTES (32 MiB); more answers 413. */
  maxBody?: number;
  /** Bulk Data `$export`: how long a finished export's files are kept (default 1 hour). */
  bulkExport?: ExportOptions;
  /**
   * Worker threads answering searches and reads of an SQLite store on disk (store/read-pool.ts); default
   * $FHIRSEED_READ_WORKERS, else 2 for a store of 50,000 resources or more, else none.
   */
  readWorkers?: number;
}

export interface RunningServer {
  /** The FHIR base URL, without a trailing slash: http://HOST:PORT/fhir (https with `tls`) */
  url: string;
  close(): Promise<void>;
  /**
   * For a process about to end at once (a second Ctrl-C during `close`): closes the SQLite store now, synchronously,
   * without waiting for requests or read workers: its write-ahead log folded into the file and, emptied, its `-wal` and
   * `-shm` removed (a log a read still holds stays, replayed at the next open), and its lock released. Nothing is
   * served from it afterwards. A no-op without a store on disk, or once closed.
   */
  closeStoreNow(): void;
  loadedResources: number;
  /** One line per file (file:line for NDJSON) or bundle entry that failed to load. */
  loadErrors: string[];
  /** Why IG profiles or search parameters are missing (packages not found or not downloadable). */
  notes: string[];
  /** The SQLite store, when there is one on disk: `store FILE built` or `store FILE reused`. */
  store?: string;
  /** How many read workers are ready, once each has started or failed (0 without any). */
  readWorkers: Promise<number>;
}

/**
 * Starts the embedded sandbox FHIR R4 server: medplum's router and in-memory repository behind a
 * small HTTP layer that adds atomic transactions, paging, includes, parameter checks, /metadata,
 * Patient/$everything and optional auth: SMART Backend Services, or SMART standalone patient launch
 * where test members sign in and their tokens see only their own compartment. FHIR is served under /fhir; the
 * token endpoint is /auth/token and SMART discovery /.well-known/smart-configuration. Throws UserError for a directory
 * that cannot be one (`options.packagesDir /x: is a file, not a directory …`), a `port` that is not a whole number
 * 0–65535 (`options.port 70000: expected a whole number 0–65535`), a `host` that is not a string, `readWorkers` not a
 * whole number 0–64, `maxBody` not a whole number ≥ 1, `rateLimit`, `store`, `bulkExport.expirySeconds`, `auth` or
 * `corsOrigins` of the wrong shape or value (startup-checks.ts checkServeOptions), `tls` with one file or files that
 * cannot serve (`options.tls.cert /x: cannot read it`), smart-patient without `dir` or its test accounts, and a port in use (`…; pick another with options.port`), named as `names` says (default the
 * properties; fhirseed's CLI passes its options).
 */
export async function startServer(options: ServeOptions = {}, names: ServeOptionNames = SERVE_LIBRARY_NAMES): Promise<RunningServer> {
  checkServeOptions(options, names);
  const host = options.host ?? '127.0.0.1';
  // The checks that take no time first (startup-checks.ts): DIR, the store file and its lock (another serve's is
  // refused before the port is bound), with a port in use named in the same line.
  const unlockStore = await checkBeforeStart(options, host, options.port ?? 0, names);
  const authOptions = options.auth ?? { mode: 'none' };
  // Requests that arrive while the data loads wait for the handler.
  let setHandler: (handler: Handler) => void = () => undefined;
  const handlerReady = new Promise<Handler>((resolve) => (setHandler = resolve));
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handlerReady.then((handle) => handle(req, res));
  let members: TestMember[] | undefined;
  let brands: Bundle | undefined;
  let server: HttpServer | HttpsServer;
  try {
    // Before the slow start-up work: a missing test-accounts.json is the user's mistake to hear about at once.
    members = authOptions.mode === 'smart-patient' ? (authOptions.members ?? loadTestMembers(options.dir, names)) : undefined;
    brands = loadBrands(options.dir);
    server = options.tls ? createHttpsServer(readTls(options.tls, names.tls), onRequest) : createServer(onRequest);
    answerClientErrors(server as HttpServer, options.corsOrigins);
    // The port next, before the slow work (fetching packages, loading the data): a port in use is told at once.
    await listenOn(server, host, options.port ?? 0, names);
  } catch (error) {
    unlockStore();
    throw error;
  }
  let close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }).finally(unlockStore);
  try {
    const { handler, loaded, notes, store, closeStore, closeStoreNow, readWorkers } = await prepare(options, authOptions, members, brands, names);
    setHandler(handler);
    const closeServer = close;
    close = () => closeServer().finally(closeStore);
    const { port } = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    const closeNow = () => {
      // The store's own lock first: its close removes the -wal and -shm files only while this process holds the lock.
      closeStoreNow();
      unlockStore();
    };
    return { url: `${options.tls ? 'https' : 'http'}://${shownHost}:${port}${FHIR_PATH}`, loadedResources: loaded.loaded, loadErrors: loaded.errors, notes, store, readWorkers, close, closeStoreNow: closeNow };
  } catch (error) {
    await close();
    throw error;
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The interrupted line once the data has loaded (the CLI says the same when a signal comes after the start). */
export const INTERRUPTED_LOADED = 'interrupted before serving; the data loaded, nothing served';

/**
 * Lets the event loop run (two turns: a signal that came during synchronous work is read in the next poll), then
 * throws Interrupted with `message` when `signal` has been aborted.
 */
export async function stopIfAsked(signal: AbortSignal | undefined, message: string): Promise<void> {
  if (!signal) return;
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new Interrupted(message);
}

type Prepared = { handler: Handler; loaded: LoadResult; notes: string[]; store?: string; closeStore: () => Promise<void>; closeStoreNow: () => void; readWorkers: Promise<number> };

/**
 * Packages, search parameters, the preload and the request handler: everything after the bind. R4's definitions are
 * parsed once for it (the schema's, R4's element list, the read workers'), not once per use (r4-resources.ts).
 */
async function prepare(options: ServeOptions, authOptions: AuthOptions, members: TestMember[] | undefined, brands: Bundle | undefined, names: ServeOptionNames): Promise<Prepared> {
  const releaseDefinitions = holdR4Resources();
  try {
    return await prepareServing(options, authOptions, members, brands, names);
  } finally {
    releaseDefinitions();
  }
}

async function prepareServing(
  options: ServeOptions,
  authOptions: AuthOptions,
  members: TestMember[] | undefined,
  brands: Bundle | undefined,
  names: ServeOptionNames,
): Promise<Prepared> {
  // As `fhirseed validate` does: fetch the IGs (the profiles' and the payer IGs') into ~/.fhir/packages when
  // none are at hand, all in one go. Without them the server still runs, only without the IG profiles and
  // search parameters (a note says so).
  // The IGs the output was made for (DIR/manifest.json): /metadata names only those, with their profiles at their versions.
  const served = manifestIgs(options.dir);
  const igs = profileIgs(served);
  const packagesProblem = await ensurePackages([...new Set([...igs, ...SEARCH_IGS.map((i) => i.ig)])], options.packagesDir, { signal: options.signal, packagesName: names.packagesDir }).then(
    () => undefined,
    (error: Error) => {
      if (error instanceof Interrupted) throw error;
      return error.message;
    },
  );
  if (options.signal?.aborted) throw new Interrupted('interrupted before loading the data; nothing served');
  const profiles = findProfiles(options.packagesDir, igs);
  indexSearchParameters(profiles.searchParameters);
  // Each slow step runs on this thread without a pause: a signal sent meanwhile is acted on between steps.
  await stopIfAsked(options.signal, 'interrupted before loading the data; nothing served');
  // Plan-Net, US Drug Formulary and PDex search parameters (network, drug-tier, ExplanationOfBenefit use, …).
  const payerIgs = igSearchParameters(options.packagesDir);
  indexSearchParameters(payerIgs.searchParameters);
  await stopIfAsked(options.signal, 'interrupted before loading the data; nothing served');
  // One message naming every missing IG, where it was looked for and how to provide it.
  if (packagesProblem) profiles.notes = [packagesProblem];
  else profiles.notes.push(...payerIgs.notes);
  const wantedReaders = options.readWorkers ?? readWorkersFromEnvironment();
  const { router, repo, loaded, storeNote, storeFile, close: closeRepository } = await createRepository(options);
  // Provider-attribution Groups for Group/[id]/$export, derived from the served data (src/serve/attribution.ts).
  // They read every member's resources: a damaged page of a reused store is met here, before anything is served.
  if (options.dir) {
    await addAttributionGroups(repo).catch((error: unknown) => {
      closeRepository();
      throw storeFile ? damagedStore(error, storeFile) : error;
    });
  }
  const check = options.validate
    ? await createWriteCheck(repo, { packagesDir: options.packagesDir, igs: typeof options.validate === 'object' ? options.validate.igs : undefined, names: { igs: names.validateIgs, packagesDir: names.packagesDir } })
    : undefined;
  const auth = new SandboxAuth({ ...authOptions, members });
  // Searches and reads off the server thread, each worker with its own read-only connection to the store file.
  const workers = storeFile ? readWorkerCount(loaded.loaded, wantedReaders) : 0;
  const reads = workers ? new ReadPool(storeFile!, [profiles.searchParameters, payerIgs.searchParameters], workers, repo.types()) : undefined;
  // Serving waits for them, so every answer comes from a worker: started meanwhile, they left the first requests after
  // a first build to the server thread while they compiled beside it.
  if (reads) await reads.started;
  const cache = new Map<string, string>();
  const handler = createHandler({
    router,
    repo,
    auth,
    check,
    site: createSite({ dir: options.dir, mode: auth.mode, members }),
    rateLimit: options.rateLimit ? new RateLimit(options.rateLimit) : undefined,
    corsOrigins: options.corsOrigins,
    maxBody: options.maxBody,
    bulkExport: options.bulkExport,
    brands,
    reads,
    capability: (base, tokenEndpoint) => {
      // The statement is the same for every request to one base; build it once.
      const cached = cache.get(base);
      if (cached) return JSON.parse(cached);
      const statement = capabilityStatement(base, profiles, auth.mode, tokenEndpoint, payerCapability(repo, served), served);
      cache.set(base, JSON.stringify(statement));
      return statement;
    },
  });
  const closeStore = async () => {
    handler.close();
    // The workers' connections first: the store's close then folds the write-ahead log into the file.
    await reads?.close();
    closeRepository();
  };
  return { handler, loaded, notes: profiles.notes, store: storeNote, closeStore, closeStoreNow: closeRepository, readWorkers: reads?.started ?? Promise.resolve(0) };
}
