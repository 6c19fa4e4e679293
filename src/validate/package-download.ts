import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { parseIg, SKIPPED_DEPENDENCIES } from './packages.js';
import { readTgz } from './tar.js';

export const DEFAULT_PACKAGE_REGISTRY = 'https://packages.fhir.org';

export interface DownloadOptions {
  /** Registry base URL: default $FHIRSEED_PACKAGE_REGISTRY, else packages.fhir.org. */
  registry?: string;
  /** The cache to fill: default ~/.fhir/packages. */
  cacheDir?: string;
  fetchImpl?: typeof fetch;
  /** Called once per package fetched. */
  onDownload?: (key: string) => void;
  /** Never download (default: $FHIRSEED_OFFLINE set). */
  offline?: boolean;
}

/**
 * What FHIR tools do when a package is not in the cache: fetch it from the package registry into
 * ~/.fhir/packages/<name>#<version>/package/, with its dependencies. Only when no package directory
 * is named (an explicit --packages or $FHIRSEED_PACKAGES means "use exactly these"), and not when
 * $FHIRSEED_OFFLINE is set. Returns the packages fetched.
 */
export async function fetchMissingPackages(igs: string[], packagesDir: string | undefined, options: DownloadOptions = {}): Promise<string[]> {
  if (packagesDir ?? process.env.FHIRSEED_PACKAGES) return [];
  if (options.offline ?? Boolean(process.env.FHIRSEED_OFFLINE)) return [];
  const cacheDir = options.cacheDir ?? join(homedir(), '.fhir', 'packages');
  const registry = (options.registry ?? process.env.FHIRSEED_PACKAGE_REGISTRY ?? DEFAULT_PACKAGE_REGISTRY).replace(/\/+$/, '');
  const doFetch = options.fetchImpl ?? fetch;
  const fetched: string[] = [];
  const seen = new Set<string>();
  const queue = igs.map((ig) => ({ ...parseIg(ig), named: true }));
  while (queue.length) {
    const { name, version, named } = queue.shift()!;
    const key = `${name}#${version}`;
    if (seen.has(key) || SKIPPED_DEPENDENCIES.some((re) => re.test(name))) continue;
    seen.add(key);
    const target = join(cacheDir, key, 'package');
    if (!existsSync(join(target, 'package.json'))) {
      const url = `${registry}/${name}/${version}`;
      const problem = await download(doFetch, url, target);
      if (problem) {
        // A missing dependency is only a warning later on; a missing named IG is the user's problem.
        if (named) throw new UserError(`FHIR package ${key} is not in ${cacheDir} and could not be downloaded from ${url}: ${problem}`);
        continue;
      }
      fetched.push(key);
      options.onDownload?.(key);
    }
    for (const [dep, v] of Object.entries(dependenciesOf(target))) queue.push({ name: dep, version: v, named: false });
  }
  return fetched;
}

async function download(doFetch: typeof fetch, url: string, target: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    const response = await doFetch(url, { headers: { accept: 'application/tar+gzip, application/gzip, */*' }, signal: AbortSignal.timeout(60_000) });
    if (!response.ok) return `HTTP ${response.status}`;
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    return (error as Error).message;
  }
  // Unpack beside the target and rename, so an interrupted download never leaves half a package in the cache.
  mkdirSync(dirname(dirname(target)), { recursive: true });
  const staging = mkdtempSync(join(dirname(dirname(target)), '.fhirseed-download-'));
  try {
    const tgz = join(staging, 'package.tgz');
    writeFileSync(tgz, bytes);
    let files: Map<string, Buffer>;
    try {
      files = readTgz(tgz);
    } catch (error) {
      return `not a package tarball (${(error as Error).message})`;
    }
    if (!files.has('package.json')) return 'not a FHIR package (no package/package.json)';
    const unpacked = join(staging, 'package');
    for (const [path, body] of files) {
      if (path.split('/').some((part) => part === '..')) continue;
      const file = join(unpacked, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, body);
    }
    mkdirSync(dirname(target), { recursive: true });
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
