import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/util/errors.js';
import { fetchMissingPackages } from '../../src/validate/package-download.js';
import { loadPackages } from '../../src/validate/packages.js';
import { packageTarball, SHARED_PACKAGES, withoutPackagesVariable } from '../helpers/packages.js';

/** A stand-in for packages.fhir.org: GET /<name>/<version> → the package's .tgz, from where the tests find packages. */
let server: Server;
let registry: string;
const requests: string[] = [];
const cacheDirs: string[] = [];

let restorePackagesVariable: () => void;
beforeAll(async () => {
  restorePackagesVariable = withoutPackagesVariable();
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/([^/]+)\/([^/]+)$/.exec(req.url ?? '');
    const tarball = m ? packageTarball(m[1]!, m[2]!) : undefined;
    if (!tarball) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/tar+gzip' }).end(tarball);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  restorePackagesVariable();
  server.close();
  for (const d of cacheDirs) rmSync(d, { recursive: true, force: true });
});

function emptyCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fhirseed-cache-'));
  cacheDirs.push(dir);
  return dir;
}

describe('downloading FHIR packages into the cache', () => {
  it('should fetch a missing IG and its dependencies into <cache>/<name>#<version>/package, once', async () => {
    const cache = emptyCache();
    requests.length = 0;
    const fetched = await fetchMissingPackages(['carin-bb@2.0.0'], undefined, { registry, cacheDir: cache, offline: false });
    expect(fetched).toContain('hl7.fhir.us.carin-bb#2.0.0');
    expect(fetched).toContain('hl7.fhir.us.core#3.1.1');
    expect(existsSync(join(cache, 'hl7.fhir.us.carin-bb#2.0.0', 'package', 'package.json'))).toBe(true);
    // The cache then serves the validator's loader like any ~/.fhir/packages.
    const { packages } = loadPackages(['carin-bb@2.0.0'], cache);
    expect(packages.map((p) => `${p.name}#${p.version}`)).toContain('hl7.fhir.us.core#3.1.1');
    const again = await fetchMissingPackages(['carin-bb@2.0.0'], undefined, { registry, cacheDir: cache, offline: false });
    expect(again).toEqual([]);
  });

  it('should not download when a package directory is named', async () => {
    const cache = emptyCache();
    requests.length = 0;
    expect(await fetchMissingPackages(['carin-bb@2.0.0'], SHARED_PACKAGES, { registry, cacheDir: cache, offline: false })).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('should fail with one line naming the package, the cache and the URL when a named IG cannot be had', async () => {
    const cache = emptyCache();
    await expect(fetchMissingPackages(['us-core@9.9.9'], undefined, { registry, cacheDir: cache, offline: false })).rejects.toThrow(
      new RegExp(`^FHIR package hl7\\.fhir\\.us\\.core#9\\.9\\.9 not found\\. Looked in ${cache}; download from ${registry}/hl7\\.fhir\\.us\\.core/9\\.9\\.9 failed: HTTP 404\n  Provide the IG packages`),
    );
    expect(existsSync(join(cache, 'hl7.fhir.us.core#9.9.9'))).toBe(false);
  });

  it('should leave nothing in the cache when the registry sends something that is not a package', async () => {
    const cache = emptyCache();
    const fetchImpl = (async () => new Response('<html>maintenance</html>', { status: 200 })) as typeof fetch;
    await expect(fetchMissingPackages(['carin-bb@2.0.0'], undefined, { registry, cacheDir: cache, fetchImpl, offline: false })).rejects.toThrow(/not a package tarball/);
    expect(existsSync(join(cache, 'hl7.fhir.us.carin-bb#2.0.0'))).toBe(false);
  });

  it('should stop a download in flight on the signal (Ctrl-C), Interrupted, nothing in the cache', async () => {
    const cache = emptyCache();
    // A registry that sends half a body and then stays silent (well within the 30 s silence limit).
    const stalled = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/tar+gzip', 'content-length': '1000000' });
      res.write(Buffer.alloc(1000));
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    try {
      const controller = new AbortController();
      const pending = fetchMissingPackages(['carin-bb@2.0.0'], undefined, {
        registry: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`,
        cacheDir: cache,
        offline: false,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 300);
      await expect(pending).rejects.toBeInstanceOf(Interrupted);
      expect(existsSync(join(cache, 'hl7.fhir.us.carin-bb#2.0.0'))).toBe(false);
    } finally {
      stalled.closeAllConnections();
      stalled.close();
    }
  });
});

describe('the sandbox server without packages at hand', () => {
  it('should fetch the IGs into the cache, then list their profiles and serve their search parameters', async () => {
    const home = emptyCache();
    const saved = { HOME: process.env.HOME, OFFLINE: process.env.FHIRSEED_OFFLINE, REGISTRY: process.env.FHIRSEED_PACKAGE_REGISTRY, PACKAGES: process.env.FHIRSEED_PACKAGES };
    process.env.HOME = home;
    process.env.FHIRSEED_PACKAGE_REGISTRY = registry;
    delete process.env.FHIRSEED_OFFLINE;
    delete process.env.FHIRSEED_PACKAGES;
    const { startServer } = await import('../../src/serve/index.js');
    const server = await startServer({ port: 0 });
    try {
      expect(existsSync(join(home, '.fhir', 'packages', 'hl7.fhir.us.carin-bb#2.0.0', 'package', 'package.json'))).toBe(true);
      const metadata = (await (await fetch(`${server.url}/metadata`)).json()) as { rest: { resource: { type: string; supportedProfile?: string[] }[] }[] };
      const eob = metadata.rest[0]!.resource.find((r) => r.type === 'ExplanationOfBenefit');
      expect(eob?.supportedProfile?.some((p) => p.includes('C4BB-ExplanationOfBenefit-Pharmacy'))).toBe(true);
      expect((await fetch(`${server.url}/ExplanationOfBenefit?service-date=ge2025-01-01`)).status).toBe(200);
    } finally {
      await server.close();
      for (const [k, v] of Object.entries({ HOME: saved.HOME, FHIRSEED_OFFLINE: saved.OFFLINE, FHIRSEED_PACKAGE_REGISTRY: saved.REGISTRY, FHIRSEED_PACKAGES: saved.PACKAGES })) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }, 60_000);
});
