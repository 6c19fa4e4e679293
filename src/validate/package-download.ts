import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Agent } from 'undici';
import {
  describeFetchError,
  downloadSkipReason,
  missingPackagesError,
  packageCacheDir,
  packageRegistry,
  type DownloadAttempt,
} from './package-sources.js';
import { Interrupted } from '../util/errors.js';
import { parseIg, requirePackages, SKIPPED_DEPENDENCIES } from './packages.js';
import { readTgz } from './tar.js';
import { makeDirectory } from '../util/make-dir.js';

export { DEFAULT_PACKAGE_REGISTRY } from './package-sources.js';

/** Without a network a connection attempt should fail in seconds, not after the OS's minutes-long TCP timeout. */
export const REGISTRY_CONNECT_TIMEOUT_MS = 5_000;
/** A registry that accepted the connection but sends nothing for this long is given up on. */
export const REGISTRY_RESPONSE_TIMEOUT_MS = 30_000;

export interface DownloadOptions {
  /** Registry base URL: default $FHIRSEED_PACKAGE_REGISTRY, else packages.fhir.org. */
  registry?: string;
  /** The cache to fill: default ~/.fhir/packages. */
  cacheDir?: string;
  /** Replaces the HTTP client (tests); its timeouts are then its own. */
  fetchImpl?: typeof fetch;
  /** Milliseconds to connect to the registry (default REGISTRY_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Milliseconds the registry may stay silent (default REGISTRY_RESPONSE_TIMEOUT_MS). */
  responseTimeoutMs?: number;
  /** Called once per package fetched. */
  onDownload?: (key: string) => void;
  /** How a missing-package error names the given directory: the CLI's `--packages` (default), `options.packagesDir`. */
  packagesName?: string;
  /** Never download (default: $FHIRSEED_OFFLINE set). */
  offline?: boolean;
  /** Ctrl-C/SIGTERM: the download in flight is cancelled and Interrupted thrown (the cache keeps only whole packages). */
  signal?: AbortSignal;
}

/**
 * What FHIR tools do when a package is not in the cache: fetch it from the package registry into
 * ~/.fhir/packages/<name>#<version>/package/, with its dependencies. Only when no package directory
 * is named (an explicit --packages or $FHIRSEED_PACKAGES means "use exactly these"), and not when
 * $FHIRSEED_OFFLINE is set. Returns the packages fetched. Named IGs that cannot be downloaded are
 * one UserError (missingPackagesError: the cache looked in, each URL tried and why it failed); once
 * the registry cannot be reached at all, nothing more is tried.
 */
export async function fetchMissingPackages(igs: string[], packagesDir: string | undefined, options: DownloadOptions = {}): Promise<string[]> {
  if (downloadSkipReason(packagesDir, options.offline)) return [];
  const cacheDir = options.cacheDir ?? packageCacheDir();
  const registry = packageRegistry(options.registry);
  const connectTimeoutMs = options.connectTimeoutMs ?? REGISTRY_CONNECT_TIMEOUT_MS;
  const doFetch = options.fetchImpl ?? registryFetch(connectTimeoutMs, options.responseTimeoutMs ?? REGISTRY_RESPONSE_TIMEOUT_MS);
  const fetched: string[] = [];
  const failed: DownloadAttempt[] = [];
  let unreachable: string | undefined;
  const seen = new Set<string>();
  const queue = igs.map((ig) => ({ ...parseIg(ig), named: true }));
  while (queue.length) {
    if (options.signal?.aborted) throw new Interrupted('interrupted while downloading IG packages; nothing served');
    const { name, version, named } = queue.shift()!;
    const key = `${name}#${version}`;
    if (seen.has(key) || SKIPPED_DEPENDENCIES.some((re) => re.test(name))) continue;
    seen.add(key);
    const target = join(cacheDir, key, 'package');
    if (!existsSync(join(target, 'package.json'))) {
      const url = `${registry}/${name}/${version}`;
      const outcome = unreachable ? { problem: unreachable, reached: false } : await download(doFetch, url, target, connectTimeoutMs, options.signal);
      if (outcome) {
        if (!outcome.reached) unreachable = outcome.problem;
        // A missing dependency is only a warning later on; a missing named IG is the user's problem.
        if (named) failed.push({ key, url, problem: outcome.problem });
        continue;
      }
      fetched.push(key);
      options.onDownload?.(key);
    }
    for (const [dep, v] of Object.entries(dependenciesOf(target))) queue.push({ name: dep, version: v, named: false });
  }
  if (failed.length) throw missingPackagesError(failed.map((f) => f.key), [cacheDir], { attempts: failed, registry }, options.packagesName);
  return fetched;
}

/**
 * Finds the named IG packages in packageSearchDirs(packagesDir), downloading the missing ones into the
 * cache when allowed (fetchMissingPackages). Returns the packages downloaded; throws one UserError
 * (missingPackagesError) when a named IG is still nowhere to be had.
 */
export async function ensurePackages(igs: string[], packagesDir: string | undefined, options: DownloadOptions = {}): Promise<string[]> {
  const downloaded = await fetchMissingPackages(igs, packagesDir, options);
  // Only looked for, not loaded: a full load here stayed cached (examples and all, about 35 MiB) beside the
  // slim copy validate and each of its workers then load.
  requirePackages(igs, packagesDir, options.packagesName);
  return downloaded;
}

/** undici's fetch with a short connect timeout and a limit on silence (Node's global fetch takes no such options). */
function registryFetch(connectTimeoutMs: number, responseTimeoutMs: number): typeof fetch {
  let dispatcher: Agent | undefined;
  // undici is imported at the first download, not with `serve` and `validate` (~70 ms of CPU at each start; issue 17).
  return (async (url: string, init: RequestInit) => {
    const { Agent: UndiciAgent, fetch: undiciFetch } = await import('undici');
    dispatcher ??= new UndiciAgent({ connect: { timeout: connectTimeoutMs }, headersTimeout: responseTimeoutMs, bodyTimeout: responseTimeoutMs });
    return undiciFetch(url, { ...(init as object), dispatcher });
  }) as unknown as typeof fetch;
}

/** undefined when the package is in place; else why not, and whether the registry answered at all. */
async function download(doFetch: typeof fetch, url: string, target: string, connectTimeoutMs: number, signal?: AbortSignal): Promise<{ problem: string; reached: boolean } | undefined> {
  let bytes: Buffer;
  try {
    const response = await doFetch(url, { headers: { accept: 'application/tar+gzip, application/gzip, */*' }, signal });
    if (!response.ok) return { problem: `HTTP ${response.status}`, reached: true };
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (signal?.aborted) throw new Interrupted('interrupted while downloading IG packages; nothing served');
    return { problem: describeFetchError(error, connectTimeoutMs), reached: false };
  }
  // Unpack beside the target and rename, so an interrupted download never leaves half a package in the cache.
  makeDirectory(dirname(dirname(target)));
  const staging = mkdtempSync(join(dirname(dirname(target)), '.fhirseed-download-'));
  try {
    const tgz = join(staging, 'package.tgz');
    writeFileSync(tgz, bytes);
    let files: Map<string, Buffer>;
    try {
      files = readTgz(tgz);
    } catch (error) {
      return { problem: `not a package tarball: ${(error as Error).message}`, reached: true };
    }
    if (!files.has('package.json')) return { problem: 'not a FHIR package (no package/package.json)', reached: true };
    const unpacked = join(staging, 'package');
    for (const [path, body] of files) {
      if (path.split('/').some((part) => part === '..')) continue;
      const file = join(unpacked, path);
      makeDirectory(dirname(file));
      writeFileSync(file, body);
    }
    makeDirectory(dirname(target));
    renameSync(unpacked, target);
    return undefined;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function dependenciesOf(packageDir: string): Record<string, string> {
  try {
    return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
  } catch {
    return {};
  }
}
