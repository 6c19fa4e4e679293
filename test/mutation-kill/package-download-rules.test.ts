import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Interrupted, UserError } from '../../src/util/errors.js';
import { ensurePackages, fetchMissingPackages, REGISTRY_CONNECT_TIMEOUT_MS, REGISTRY_RESPONSE_TIMEOUT_MS } from '../../src/validate/package-download.js';
import { PACKAGES_HINT } from '../../src/validate/package-sources.js';
import { withoutPackagesVariable } from '../helpers/packages.js';
import { packageEntries, tgzBytes } from '../helpers/tgz.js';

// os.homedir() reads the process's real environment, which a worker thread's process.env (Stryker's vitest runner
// runs tests in threads) does not reach: read $HOME as Node's main thread does.
vi.mock('node:os', async (importOriginal) => {
  const os = await importOriginal<typeof import('node:os')>();
  const homedir = () => process.env.HOME ?? os.homedir();
  return { ...os, default: { ...os, homedir }, homedir };
});

/**
 * Downloading IG packages into the cache (issue 19), against a stand-in registry on 127.0.0.1 that serves tiny
 * hand-made tarballs: dependencies followed once each (R4 base and terminology never asked for), packages already in
 * the cache not fetched again, what fails for a named IG and for a dependency, an unreachable registry tried once,
 * bad tarballs, paths that climb out of the package, the silence limits, and the one-line UserError. Each test sets
 * what the registry serves; milliseconds each but the two silence tests (about 0.3 s each).
 */

let server: Server;
let registry: string;
/** What the registry serves: `/<name>/<version>` → tarball bytes, a status, or 'silent' (headers never sent). */
let served = new Map<string, Buffer | number | 'silent' | 'stall-body'>();
const requests: { url: string; headers: IncomingHttpHeaders }[] = [];

let restorePackagesVariable: () => void;
beforeAll(async () => {
  // Downloads happen only when no package directory is named ($FHIRSEED_PACKAGES is set under Stryker).
  restorePackagesVariable = withoutPackagesVariable();
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const answer = served.get(req.url ?? '') ?? 404;
    if (answer === 'silent') return;
    if (answer === 'stall-body') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10));
      return;
    }
    if (typeof answer === 'number') res.writeHead(answer).end('no');
    else res.writeHead(200, { 'content-type': 'application/tar+gzip' }).end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  restorePackagesVariable();
  server.closeAllConnections();
  server.close();
});

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
  served = new Map();
  requests.length = 0;
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fhirseed-cache-'));
  temps.push(dir);
  return dir;
}

function serve(name: string, version: string, dependencies: Record<string, string> = {}, files: Record<string, unknown> = {}): void {
  served.set(`/${name}/${version}`, tgzBytes(packageEntries(name, version, dependencies, files)));
}

/** Downloads allowed whatever the environment: no package directory, not offline. */
const online = (cacheDir: string, more: Parameters<typeof fetchMissingPackages>[2] = {}) => ({ registry, cacheDir, offline: false, ...more });

async function message(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (e: Error) => `${e.name}: ${e.message}`,
  );
}

describe('fetchMissingPackages', () => {
  it('should fetch a named IG and its dependencies, each once, into <cache>/<name>#<version>/package, and never the R4 base', async () => {
    const cache = tempDir();
    serve('a', '1.0.0', { b: '1.0.0', c: '2.0.0', 'hl7.fhir.r4.core': '4.0.1' }, { 'example/deep/E.json': { resourceType: 'Basic' } });
    serve('b', '1.0.0', { c: '2.0.0', 'hl7.terminology.r4': '5.0.0' });
    serve('c', '2.0.0', { a: '1.0.0' });
    const announced: string[] = [];
    const fetched = await fetchMissingPackages(['a@1.0.0'], undefined, online(cache, { onDownload: (key) => announced.push(key) }));
    expect(fetched).toEqual(['a#1.0.0', 'b#1.0.0', 'c#2.0.0']);
    expect(announced).toEqual(fetched);
    expect(requests.map((r) => r.url)).toEqual(['/a/1.0.0', '/b/1.0.0', '/c/2.0.0']);
    expect(requests[0]!.headers.accept).toBe('application/tar+gzip, application/gzip, */*');
    expect(readdirSync(cache).sort()).toEqual(['a#1.0.0', 'b#1.0.0', 'c#2.0.0']);
    expect(JSON.parse(readFileSync(join(cache, 'a#1.0.0', 'package', 'package.json'), 'utf8')).name).toBe('a');
    expect(JSON.parse(readFileSync(join(cache, 'a#1.0.0', 'package', 'example', 'deep', 'E.json'), 'utf8'))).toEqual({ resourceType: 'Basic' });
  });

  it('should not fetch a package already in the cache, but follow its dependencies', async () => {
    const cache = tempDir();
    mkdirSync(join(cache, 'a#1.0.0', 'package'), { recursive: true });
    writeFileSync(join(cache, 'a#1.0.0', 'package', 'package.json'), JSON.stringify({ dependencies: { b: '1.0.0' } }));
    mkdirSync(join(cache, 'broken#1.0.0', 'package'), { recursive: true });
    writeFileSync(join(cache, 'broken#1.0.0', 'package', 'package.json'), '{ not json');
    serve('a', '1.0.0');
    serve('b', '1.0.0');
    expect(await fetchMissingPackages(['a@1.0.0', 'broken@1.0.0'], undefined, online(cache))).toEqual(['b#1.0.0']);
    expect(requests.map((r) => r.url)).toEqual(['/b/1.0.0']);
  });

  it('should fetch nothing when a package directory is named or offline', async () => {
    const cache = tempDir();
    serve('a', '1.0.0');
    expect(await fetchMissingPackages(['a@1.0.0'], tempDir(), online(cache))).toEqual([]);
    expect(await fetchMissingPackages(['a@1.0.0'], undefined, online(cache, { offline: true }))).toEqual([]);
    expect(requests).toEqual([]);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('should stop before asking the registry once the signal has fired', async () => {
    const cache = tempDir();
    serve('a', '1.0.0');
    const controller = new AbortController();
    controller.abort();
    expect(await message(fetchMissingPackages(['a@1.0.0'], undefined, online(cache, { signal: controller.signal })))).toBe(
      'Interrupted: interrupted while downloading IG packages; nothing served',
    );
    await expect(fetchMissingPackages(['a@1.0.0'], undefined, online(cache, { signal: controller.signal }))).rejects.toBeInstanceOf(Interrupted);
    expect(requests).toEqual([]);
  });

  it('should fail for named IGs the registry does not have, in one line with each URL, and pass over a missing dependency', async () => {
    const cache = tempDir();
    serve('a', '1.0.0', { gone: '1.0.0', b: '1.0.0' });
    serve('b', '1.0.0');
    served.set('/x/2.0.0', 500);
    const attempt = fetchMissingPackages(['x@2.0.0', 'a@1.0.0', 'y@3.0.0'], undefined, online(`${cache}`, { registry: `${registry}/` }));
    expect(await message(attempt)).toBe(
      `UserError: FHIR packages x#2.0.0, y#3.0.0 not found. Looked in ${cache}; download failed: ${registry}/x/2.0.0: HTTP 500; ${registry}/y/3.0.0: HTTP 404\n${PACKAGES_HINT}`,
    );
    // The registry answered, so every package was still tried; the dependency's 404 is no error.
    expect(requests.map((r) => r.url)).toEqual(['/x/2.0.0', '/a/1.0.0', '/y/3.0.0', '/gone/1.0.0', '/b/1.0.0']);
    expect(readdirSync(cache).sort()).toEqual(['a#1.0.0', 'b#1.0.0']);
    expect(await fetchMissingPackages(['a@1.0.0'], undefined, online(cache))).toEqual([]);
  });

  it('should try an unreachable registry once, and name every named IG with why', async () => {
    const cache = tempDir();
    let calls = 0;
    const fetchImpl = (async () => {
      calls++;
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    const attempt = fetchMissingPackages(['a@1.0.0', 'b@1.0.0'], undefined, online(cache, { fetchImpl, registry: 'http://r.example' }));
    expect(await message(attempt)).toBe(
      `UserError: FHIR packages a#1.0.0, b#1.0.0 not found. Looked in ${cache}; download from http://r.example failed: connection refused (ECONNREFUSED)\n${PACKAGES_HINT}`,
    );
    expect(calls).toBe(1);
  });

  it('should refuse what is not a package tarball, or a tarball without package.json, and leave nothing in the cache', async () => {
    const cache = tempDir();
    served.set('/html/1.0.0', Buffer.from('<html>maintenance</html>'));
    served.set('/bare/1.0.0', tgzBytes([{ name: 'package/StructureDefinition-x.json', body: '{}' }]));
    const attempt = fetchMissingPackages(['html@1.0.0', 'bare@1.0.0'], undefined, online(cache));
    await expect(attempt).rejects.toThrow(UserError);
    const text = await message(fetchMissingPackages(['html@1.0.0', 'bare@1.0.0'], undefined, online(cache)));
    expect(text).toMatch(new RegExp(`; download failed: ${registry}/html/1\\.0\\.0: not a package tarball: [^;]+; ${registry}/bare/1\\.0\\.0: not a FHIR package \\(no package/package.json\\)\n`));
    expect(readdirSync(cache)).toEqual([]);
    // The registry answered: the next named IG is still tried.
    serve('a', '1.0.0');
    requests.length = 0;
    await expect(fetchMissingPackages(['bare@1.0.0', 'a@1.0.0'], undefined, online(cache))).rejects.toThrow(/^FHIR package bare#1\.0\.0 not found/);
    expect(requests.map((r) => r.url)).toEqual(['/bare/1.0.0', '/a/1.0.0']);
    expect(readdirSync(cache)).toEqual(['a#1.0.0']);
  });

  it('should write no file outside the package for a path that climbs out of it', async () => {
    const cache = tempDir();
    served.set('/a/1.0.0', tgzBytes([...packageEntries('a', '1.0.0'), { name: 'package/../../escaped.json', body: '{}' }, { name: 'package/x/../../up.json', body: '{}' }]));
    expect(await fetchMissingPackages(['a@1.0.0'], undefined, online(cache))).toEqual(['a#1.0.0']);
    expect(readdirSync(cache)).toEqual(['a#1.0.0']);
    expect(readdirSync(join(cache, 'a#1.0.0'))).toEqual(['package']);
    expect(readdirSync(join(cache, 'a#1.0.0', 'package'))).toEqual(['package.json']);
  });

  it('should fill ~/.fhir/packages (following $HOME) when no cache is given', async () => {
    const home = tempDir();
    serve('a', '1.0.0');
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      expect(await fetchMissingPackages(['a@1.0.0'], undefined, { registry, offline: false })).toEqual(['a#1.0.0']);
    } finally {
      process.env.HOME = saved;
    }
    expect(existsSync(join(home, '.fhir', 'packages', 'a#1.0.0', 'package', 'package.json'))).toBe(true);
  });

  it('should give up on a registry that sends no headers, or stops mid-body, for the silence limit', async () => {
    expect(REGISTRY_CONNECT_TIMEOUT_MS).toBe(5_000);
    expect(REGISTRY_RESPONSE_TIMEOUT_MS).toBe(30_000);
    served.set('/silent/1.0.0', 'silent');
    served.set('/stall/1.0.0', 'stall-body');
    for (const name of ['silent', 'stall']) {
      const cache = tempDir();
      const text = await message(fetchMissingPackages([`${name}@1.0.0`], undefined, online(cache, { responseTimeoutMs: 300 })));
      expect(text).toContain(`; download from ${registry}/${name}/1.0.0 failed: the registry stopped answering\n`);
    }
    server.closeAllConnections();
  });
});

describe('ensurePackages', () => {
  it('should download what is missing, then load the named IGs, failing in one line when one is nowhere', async () => {
    const cache = tempDir();
    serve('a', '1.0.0');
    const home = tempDir();
    const saved = { HOME: process.env.HOME, P: process.env.FHIRSEED_PACKAGES };
    process.env.HOME = home;
    delete process.env.FHIRSEED_PACKAGES;
    try {
      expect(await ensurePackages(['a@1.0.0'], undefined, online(join(home, '.fhir', 'packages')))).toEqual(['a#1.0.0']);
      expect(await ensurePackages(['a@1.0.0'], undefined, online(join(home, '.fhir', 'packages')))).toEqual([]);
      expect(await message(ensurePackages(['zz@1.0.0'], cache, online(cache)))).toBe(
        `UserError: FHIR package zz#1.0.0 not found. Looked in ${cache}, ${join(home, '.fhir', 'packages')}; not downloaded, as --packages is given\n${PACKAGES_HINT}`,
      );
      expect(requests.map((r) => r.url)).toEqual(['/a/1.0.0']);
    } finally {
      process.env.HOME = saved.HOME;
      if (saved.P !== undefined) process.env.FHIRSEED_PACKAGES = saved.P;
    }
  });
});
